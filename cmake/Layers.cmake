# Folders are the floors of the build (docs/DESIGN.md, "Floors"). There is no global include
# directory: a target's headers are reachable as "<folder>/x.h" only from targets that link it.
#
#   sfu_expose(<target> <folder>) makes ${CMAKE_BINARY_DIR}/include/<target>/<folder> a link to
#   the source folder and adds ${CMAKE_BINARY_DIR}/include/<target> to the target's PUBLIC
#   include path. A file that includes a header of a library its target does not link fails to
#   compile; scripts/check-layers.sh checks the order of the floors themselves.
function(sfu_expose target folder)
  set(root ${CMAKE_BINARY_DIR}/include/${target})
  get_filename_component(parent ${root}/${folder} DIRECTORY)
  file(MAKE_DIRECTORY ${parent})
  if(NOT EXISTS ${root}/${folder})
    file(CREATE_LINK ${CMAKE_SOURCE_DIR}/${folder} ${root}/${folder} SYMBOLIC)
  endif()
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "INTERFACE_LIBRARY")
    target_include_directories(${target} INTERFACE ${root})
  else()
    target_include_directories(${target} PUBLIC ${root})
  endif()
endfunction()
