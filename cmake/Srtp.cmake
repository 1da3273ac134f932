# Finds libsrtp2 and says which crypto backend it uses.
# Preferred: the OpenSSL-crypto build that scripts/setup.sh makes from Debian's source package
# in .deps/prefix. Fallback: Debian's binary libsrtp2 (NSS crypto), found through pkg-config.
set(SFU_SRTP_PREFIX "${CMAKE_SOURCE_DIR}/.deps/prefix" CACHE PATH "Prefix of the OpenSSL-crypto libsrtp2 build")
find_package(libSRTP CONFIG QUIET PATHS "${SFU_SRTP_PREFIX}" NO_DEFAULT_PATH)
if(libSRTP_FOUND AND TARGET libSRTP::srtp2)
  add_library(sfu_srtp2 INTERFACE)
  target_link_libraries(sfu_srtp2 INTERFACE libSRTP::srtp2 OpenSSL::Crypto)
  set(SFU_SRTP_CRYPTO "openssl")
  set(SFU_SRTP_ORIGIN "${SFU_SRTP_PREFIX} (built from Debian's source package)")
else()
  pkg_check_modules(SRTP2 REQUIRED IMPORTED_TARGET libsrtp2>=2.4)
  add_library(sfu_srtp2 INTERFACE)
  target_link_libraries(sfu_srtp2 INTERFACE PkgConfig::SRTP2)
  set(SFU_SRTP_CRYPTO "nss")
  set(SFU_SRTP_ORIGIN "Debian binary package libsrtp2-1 (fallback; run scripts/setup.sh for the faster OpenSSL build)")
endif()
message(STATUS "SRTP crypto backend: ${SFU_SRTP_CRYPTO} -- ${SFU_SRTP_ORIGIN}")
