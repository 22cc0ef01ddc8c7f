// fake-jama: a local stand-in for a Jama Connect instance, to try Connector Desk without one.
// Prints its base URL as the first line on stdout, then serves until killed.
#include "FakeJamaServer.h"

int main(int argc, char *argv[])
{
    const QCommandLineOption legacyOption(QStringLiteral("legacy-token"),
        QStringLiteral("Answer token requests the pre-2024 way (\"bearer\" plus extra fields)."));
    const QCommandLineOption notFoundOption(QStringLiteral("unknown-404"),
        QStringLiteral("Answer unknown paths with 404 instead of the HTML login page."));
    const QCommandLineOption projectsOption(QStringLiteral("projects"),
        QStringLiteral("Replace the projects (also an accounts file's) with N generated ones: "
                       "ids 100, 101, ..., keys P001, P002, ..., names \"Project 1\", ..."),
        QStringLiteral("n"));
    cd::fake::FakeToolInfo info { QStringLiteral("fake-jama"),
        QStringLiteral("A fake Jama Connect REST API on a loopback port (see "
                       "tests/fakejama/README.md for the built-in accounts)."),
        5000, QStringLiteral("accounts use the password \"password\" (see README)") };
    info.rateLimitNote = QStringLiteral("Jama Connect throttles at about 10 calls per second per "
                                        "instance, with a bare 429 (no Retry-After).");
    return cd::fake::runFakeServerTool<cd::fake::FakeJamaServer>(argc, argv, info,
        { legacyOption, notFoundOption, projectsOption },
        [&](cd::fake::FakeJamaServer &server, cd::fake::FakeServerTool &tool) {
            server.setLegacyTokenFormat(tool.parser().isSet(legacyOption));
            server.setUnknownPathStatus(tool.parser().isSet(notFoundOption) ? 404 : 200);
            if (tool.parser().isSet(projectsOption)) {
                bool ok = false;
                const int n = tool.parser().value(projectsOption).toInt(&ok);
                if (!ok || n < 0)
                    return tool.fail(QStringLiteral("--projects needs a number, 0 or more"), 2);
                server.setProjects(cd::fake::FakeJamaServer::generatedProjects(n));
            }
            return 0;
        });
}
