# Helpers shared by every module's CMakeLists.txt.

set(FS_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual
    -Wold-style-cast -Wcast-align -Wimplicit-fallthrough -Wformat=2 -Werror)

# fs_module(NAME SOURCES a.cc b.cc DEPS other_module Some::Target)
# Defines the static library fs_NAME, rooted at src/ for includes.
function(fs_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(fs_${name} STATIC ${ARG_SOURCES})
  target_include_directories(fs_${name} PUBLIC ${CMAKE_SOURCE_DIR}/src)
  target_compile_options(fs_${name} PRIVATE ${FS_WARNINGS})
  target_link_libraries(fs_${name} PUBLIC ${ARG_DEPS})
endfunction()

# fs_test(NAME SOURCES a_test.cc DEPS fs_query)
# One GoogleTest executable per module; its tests are listed to CTest when run.
function(fs_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${FS_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE FS_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST PROPERTIES LABELS "unit;${ARG_LABELS}")
endfunction()

# fs_module(NAME DEPS ...) compiles every .cc in the calling folder (so adding a file needs no
# CMake edit); a module with no sources yet is an INTERFACE library.
function(fs_module_glob name)
  cmake_parse_arguments(ARG "" "" "DEPS;EXCLUDE" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cc)
  foreach(ex IN LISTS ARG_EXCLUDE)
    list(FILTER sources EXCLUDE REGEX "/${ex}$")
  endforeach()
  if(sources)
    fs_module(${name} SOURCES ${sources} DEPS ${ARG_DEPS})
  else()
    add_library(fs_${name} INTERFACE)
    target_include_directories(fs_${name} INTERFACE ${CMAKE_SOURCE_DIR}/src)
    target_link_libraries(fs_${name} INTERFACE ${ARG_DEPS})
  endif()
endfunction()

# fs_test_glob(NAME DEPS ...): one test executable from every *_test.cc in the calling folder.
function(fs_test_glob name)
  cmake_parse_arguments(ARG "" "" "DEPS;LABELS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*_test.cc)
  if(sources)
    fs_test(${name} SOURCES ${sources} DEPS ${ARG_DEPS} LABELS ${ARG_LABELS})
  endif()
endfunction()

# fs_link_allocator(TARGET): the program's malloc and operator new become mimalloc's (Debian
# libmimalloc-dev). The engine allocates and frees many small JSON nodes per state; mimalloc
# does that in a fraction of glibc's instructions (callgrind: -20% on map-10000-task). The
# library is kept although no symbol of it is referenced: it replaces malloc by interposition.
# Sanitizer builds keep ASan's allocator.
set(CMAKE_LINK_LIBRARY_USING_FS_NO_AS_NEEDED "LINKER:--push-state,--no-as-needed" "<LINK_ITEM>"
    "LINKER:--pop-state")
set(CMAKE_LINK_LIBRARY_USING_FS_NO_AS_NEEDED_SUPPORTED TRUE)
function(fs_link_allocator target)
  if(NOT FS_SANITIZE)
    target_link_libraries(${target} PRIVATE "$<LINK_LIBRARY:FS_NO_AS_NEEDED,mimalloc>")
  endif()
endfunction()
