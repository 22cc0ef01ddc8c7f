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
    const cd::fake::FakeToolInfo info { QStringLiteral("fake-jira"),
        QStringLiteral("A fake Jira REST API (Cloud or Data Center) on a loopback port (see "
                       "tests/fakejira/README.md for the built-in accounts)."),
        5000, QString(), QStringLiteral("/jira") };
    return cd::fake::runFakeServerTool<FakeJiraServer>(argc, argv, info, { flavourOption },
        [&](FakeJiraServer &server, cd::fake::FakeServerTool &tool) {
            JiraFlavour flavour = JiraFlavour::Cloud;
            if (!cd::fake::enumFromId(tool.parser().value(flavourOption), &flavour))
                return tool.fail(QStringLiteral("--flavour needs cloud or data-center"), 2);
            server.setFlavour(flavour);
            tool.setHint(flavour == JiraFlavour::Cloud
                    ? QStringLiteral("log in as <name>@example.com with the API token "
                                     "<name>-token (see README)")
                    : QStringLiteral("log in as <name> with the password \"password\", or "
                                     "with the personal access token <name>-pat (see README)"));
            return 0;
        });
}
