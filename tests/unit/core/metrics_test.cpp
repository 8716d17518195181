#include "core/metrics.hpp"

#include <gtest/gtest.h>

namespace pbx::metrics {
namespace {

TEST(Metrics, CounterAndHistogramRenderInPrometheusText) {
  Registry r;
  r.counter("t_total", "things", label("kind", "a")).inc(3);
  r.counter("t_total", "things", label("kind", "a")).inc();  // same series
  auto& h = r.histogram("t_seconds", "latency", label("route", "/x"));
  h.observe(std::chrono::microseconds(300));
  h.observe(std::chrono::seconds(10));
  auto text = r.render();
  EXPECT_NE(text.find("# TYPE t_total counter\nt_total{kind=\"a\"} 4\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("t_seconds_bucket{route=\"/x\",le=\"0.00025\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("t_seconds_bucket{route=\"/x\",le=\"0.0005\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("t_seconds_bucket{route=\"/x\",le=\"+Inf\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("t_seconds_count{route=\"/x\"} 2\n"), std::string::npos);
}

TEST(Metrics, GaugeGoesUpAndDown) {
  Registry r;
  auto& g = r.gauge("t_depth", "queued", label("pool", "p"));
  g.add(3);
  g.add(-1);
  EXPECT_EQ(&g, &r.gauge("t_depth", "queued", label("pool", "p")));  // same series
  EXPECT_NE(r.render().find("# TYPE t_depth gauge\nt_depth{pool=\"p\"} 2\n"), std::string::npos)
      << r.render();
  g.add(-2);
  EXPECT_NE(r.render().find("t_depth{pool=\"p\"} 0\n"), std::string::npos);
}

TEST(Metrics, LabelValuesAreEscaped) {
  EXPECT_EQ(label("p", "a\"b\\c\nd"), "p=\"a\\\"b\\\\c\\nd\"");
}

}  // namespace
}  // namespace pbx::metrics
