#include "store/dependency.hpp"

#include <string>

namespace pbx::store {

metrics::Counter& dependency_errors(std::string_view dependency) {
  return metrics::registry().counter("pbx_dependency_errors_total",
                                     "Failed calls to Postgres or Redis",
                                     metrics::label("dependency", std::string(dependency)));
}

}  // namespace pbx::store
