// fake-jama: a local stand-in for a Jama Connect instance, to try Connector Desk without one.
// Prints its base URL as the first line on stdout, then serves until killed.
#include "FakeJamaServer.h"

int main(int argc, char *argv[])
{
    const QCommandLineOption legacyOption(QStringLiteral("legacy-token"),
        QStringLiteral("Answer token requests the pre-2024 way (\"bearer\" plus extra fields)."));
    const QCommandLineOption notFoundOption(QStringLiteral("unknown-404"),
        QStringLiteral("Answer unknown paths with 404 instead of the HTML login page."));
    const cd::fake::FakeToolInfo info { QStringLiteral("fake-jama"),
        QStringLiteral("A fake Jama Connect REST API on a loopback port (see "
                       "tests/fakejama/README.md for the built-in accounts)."),
        5000, QStringLiteral("accounts use the password \"password\" (see README)") };
    return cd::fake::runFakeServerTool<cd::fake::FakeJamaServer>(argc, argv, info,
        { legacyOption, notFoundOption },
        [&](cd::fake::FakeJamaServer &server, cd::fake::FakeServerTool &tool) {
            server.setLegacyTokenFormat(tool.parser().isSet(legacyOption));
            server.setUnknownPathStatus(tool.parser().isSet(notFoundOption) ? 404 : 200);
            return 0;
        });
}
