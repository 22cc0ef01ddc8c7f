// fake-jira: a local stand-in for a Jira Cloud or Jira Data Center instance, to try Connector
// Desk's Jira connectors without one. Prints its base URL as the first line on stdout, then
// serves until killed.
#include "FakeJiraServer.h"

using cd::fake::FakeJiraServer;
using cd::fake::JiraFlavour;

int main(int argc, char *argv[])
{
    const QCommandLineOption flavourOption(QStringLiteral("flavour"),
        QStringLiteral("cloud (email + API token) or data-center (username + password, or a "
                       "personal access token)."),
        QStringLiteral("flavour"), QStringLiteral("cloud"));
    const QCommandLineOption projectsOption(QStringLiteral("projects"),
        QStringLiteral("Replace the projects DEMO and TEST with N generated ones: keys P001, "
                       "P002, ..., names \"Project 1\", ..."),
        QStringLiteral("n"));
    cd::fake::FakeToolInfo info { QStringLiteral("fake-jira"),
        QStringLiteral("A fake Jira REST API (Cloud or Data Center) on a loopback port (see "
                       "tests/fakejira/README.md for the built-in accounts)."),
        5000, QString(), QStringLiteral("/jira") };
    info.rateLimitNote = QStringLiteral("Answered like Jira Cloud's 429s: Retry-After: 1 and "
                                        "X-RateLimit-Reset.");
    return cd::fake::runFakeServerTool<FakeJiraServer>(argc, argv, info,
        { flavourOption, projectsOption },
        [&](FakeJiraServer &server, cd::fake::FakeServerTool &tool) {
            JiraFlavour flavour = JiraFlavour::Cloud;
            if (!cd::fake::enumFromId(tool.parser().value(flavourOption), &flavour))
                return tool.fail(QStringLiteral("--flavour needs cloud or data-center"), 2);
            server.setFlavour(flavour);
            if (tool.parser().isSet(projectsOption)) {
                bool ok = false;
                const int n = tool.parser().value(projectsOption).toInt(&ok);
                if (!ok || n < 0)
                    return tool.fail(QStringLiteral("--projects needs a number, 0 or more"), 2);
                server.setProjects(FakeJiraServer::generatedProjects(n));
            }
            tool.setHint(flavour == JiraFlavour::Cloud
                    ? QStringLiteral("log in as <name>@example.com with the API token "
                                     "<name>-token (see README)")
                    : QStringLiteral("log in as <name> with the password \"password\", or "
                                     "with the personal access token <name>-pat (see README)"));
            return 0;
        });
}
