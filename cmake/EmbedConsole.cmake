# The web console (web/) compiled into pbxd, so that one binary serves everything.
#
# Included from CMakeLists.txt: pbx_embed_console(out) arranges for `out` (a C++ source
# defining pbx::http::embedded_console()) to be generated. When Node and the console's
# pinned packages (web/node_modules, from `npm ci`) are present, the console is built by
# web/build.mjs at build time and its files are embedded; otherwise the bundle is empty and
# `/` says that the console was not built. The server builds and passes its tests either way.
#
# Run as a script (cmake -DDIST=dir -DOUT=file -P EmbedConsole.cmake) it writes `out` from a
# built folder; without DIST it writes the empty bundle.

function(_pbx_console_bytes file var)
  file(READ ${file} hex HEX)
  string(LENGTH "${hex}" len)
  math(EXPR size "${len} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
  set(${var} "${bytes}" PARENT_SCOPE)
  set(${var}_size ${size} PARENT_SCOPE)
endfunction()

function(_pbx_console_write dist out)
  set(version "")
  set(arrays "")
  set(entries "")
  if(dist)
    file(READ ${dist}/VERSION version)
    string(STRIP "${version}" version)
    file(GLOB files RELATIVE ${dist} ${dist}/*)
    list(SORT files)
    set(i 0)
    foreach(name ${files})
      if(name STREQUAL "VERSION" OR name MATCHES "\\.gz$")
        continue()
      endif()
      _pbx_console_bytes(${dist}/${name} body)
      string(APPEND arrays "const char a${i}[] = {${body}};\n")
      set(gz "{}")
      if(EXISTS ${dist}/${name}.gz)
        _pbx_console_bytes(${dist}/${name}.gz zipped)
        string(APPEND arrays "const char z${i}[] = {${zipped}};\n")
        set(gz "{z${i}, ${zipped_size}}")
      endif()
      string(APPEND entries "      {\"${name}\", {a${i}, ${body_size}}, ${gz}},\n")
      math(EXPR i "${i} + 1")
    endforeach()
  endif()
  file(WRITE ${out}.tmp "// Generated from the built web console by cmake/EmbedConsole.cmake.
#include \"http/console.hpp\"

namespace pbx::http {

namespace {
${arrays}}  // namespace

const ConsoleBundle& embedded_console() {
  static const ConsoleBundle bundle{\"${version}\", {
${entries}  }};
  return bundle;
}

}  // namespace pbx::http
")
  file(COPY_FILE ${out}.tmp ${out} ONLY_IF_DIFFERENT)
  file(REMOVE ${out}.tmp)
endfunction()

if(CMAKE_SCRIPT_MODE_FILE)
  _pbx_console_write("${DIST}" "${OUT}")
  return()
endif()

function(pbx_embed_console out)
  set(web ${CMAKE_SOURCE_DIR}/web)
  option(PBX_CONSOLE "Build the web console into pbxd when Node and web/node_modules are there" ON)
  if(PBX_CONSOLE)
    find_program(PBX_NODE node)
  endif()
  if(PBX_CONSOLE AND PBX_NODE AND EXISTS ${web}/node_modules/preact/package.json)
    set(dist ${CMAKE_BINARY_DIR}/console)
    file(GLOB sources CONFIGURE_DEPENDS ${web}/src/*)
    add_custom_command(
      OUTPUT ${out} ${dist}/VERSION
      COMMAND ${PBX_NODE} ${web}/build.mjs ${dist}
      COMMAND ${CMAKE_COMMAND} -DDIST=${dist} -DOUT=${out} -P ${CMAKE_SOURCE_DIR}/cmake/EmbedConsole.cmake
      DEPENDS ${sources} ${web}/build.mjs ${web}/package-lock.json
              ${CMAKE_SOURCE_DIR}/cmake/EmbedConsole.cmake
      COMMENT "Building and embedding the web console"
      VERBATIM)
    set(PBX_CONSOLE_BUILT ON PARENT_SCOPE)
    message(STATUS "Web console: built with ${PBX_NODE}")
  else()
    _pbx_console_write("" ${out})
    set(PBX_CONSOLE_BUILT OFF PARENT_SCOPE)
    message(STATUS "Web console: not built (needs node and `npm ci` in web/)")
  endif()
endfunction()
