# Generates a C++ source holding every migrations/*.sql file as {name, sql}, in name order.
function(pbx_embed_migrations dir out)
  file(GLOB files CONFIGURE_DEPENDS ${dir}/*.sql)
  list(SORT files)
  set(body "")
  foreach(f ${files})
    get_filename_component(name ${f} NAME)
    file(READ ${f} sql)
    set(body "${body}    {\"${name}\", R\"pbxsql(${sql})pbxsql\"},\n")
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${f})
  endforeach()
  file(CONFIGURE OUTPUT ${out} CONTENT "// Generated from migrations/*.sql by cmake/EmbedMigrations.cmake.
#include \"store/migrations.hpp\"

namespace pbx::store {

const std::vector<Migration>& embedded_migrations() {
  static const std::vector<Migration> all = {
${body}  };
  return all;
}

}  // namespace pbx::store
" @ONLY)
endfunction()
