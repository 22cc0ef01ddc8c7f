# Read by cpack once per generator (CPACK_PROJECT_CONFIG_FILE): per-generator settings.
if(CPACK_GENERATOR STREQUAL "DEB")
    # The Debian package installs under /usr whatever CMAKE_INSTALL_PREFIX the tree has.
    set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
elseif(CPACK_GENERATOR STREQUAL "TGZ")
    # A relocatable tarball: bin/, share/ under connector-desk-<version>-linux-<arch>/.
    set(CPACK_PACKAGE_FILE_NAME "${CPACK_CONNECTOR_DESK_ARCHIVE_FILE_NAME}")
endif()
