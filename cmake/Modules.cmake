# One static library per folder of src/ (pbx_<folder>). A module compiles against its own
# headers and those of the modules it depends on, nothing else: each gets an include root
# holding only its own folder, so including a header of a layer it must not reach is a build
# error, not a review comment.
function(pbx_module name)
  cmake_parse_arguments(MODULE "" "" "DEPENDS;LIBRARIES;SOURCES" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/${name}/*.cpp)
  add_library(pbx_${name} STATIC ${sources} ${MODULE_SOURCES})
  set(root ${PROJECT_BINARY_DIR}/include/${name})
  file(MAKE_DIRECTORY ${root})
  file(CREATE_LINK ${PROJECT_SOURCE_DIR}/src/${name} ${root}/${name} SYMBOLIC)
  target_include_directories(pbx_${name} PUBLIC ${root})
  list(TRANSFORM MODULE_DEPENDS PREPEND pbx_)
  target_link_libraries(pbx_${name} PUBLIC ${MODULE_DEPENDS} ${MODULE_LIBRARIES})
endfunction()
