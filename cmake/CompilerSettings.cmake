# Warnings and sanitizers for the project's own targets (never for Qt's headers).
add_library(connectordesk_warnings INTERFACE)
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(connectordesk_warnings INTERFACE
        -Wall -Wextra -Wpedantic
        $<$<CONFIG:Debug>:-Werror>)
elseif(MSVC)
    target_compile_options(connectordesk_warnings INTERFACE /W4 $<$<CONFIG:Debug>:/WX>)
endif()
# Application code: no implicit narrow-string conversions (every user-visible string goes
# through tr() or QStringLiteral). Tests may use plain literals for readability.
add_library(connectordesk_strict INTERFACE)
target_link_libraries(connectordesk_strict INTERFACE connectordesk_warnings)
target_compile_definitions(connectordesk_strict INTERFACE
    QT_NO_CAST_FROM_ASCII QT_NO_URL_CAST_FROM_STRING QT_NO_CAST_TO_ASCII
    QT_NO_FOREACH QT_NO_KEYWORDS
    QT_DISABLE_DEPRECATED_BEFORE=0x060400)

if(CONNECTOR_DESK_SANITIZE)
    if(MSVC)
        add_compile_options(/fsanitize=address)
    else()
        add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
        add_link_options(-fsanitize=address,undefined)
    endif()
endif()
