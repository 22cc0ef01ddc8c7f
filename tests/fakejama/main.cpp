// fake-jama: a local stand-in for a Jama Connect instance, to try Connector Desk without one.
// Prints its base URL as the first line on stdout, then serves until killed.
#include "FakeJamaServer.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <cstdio>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("fake-jama"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("A fake Jama Connect REST API on a loopback port (see "
                       "tests/fakejama/README.md for the built-in accounts)."));
    parser.addHelpOption();
    const QCommandLineOption portOption(QStringLiteral("port"),
        QStringLiteral("Port to listen on (0: any free port)."), QStringLiteral("port"),
        QStringLiteral("0"));
    const QCommandLineOption tlsOption(
        QStringLiteral("tls"), QStringLiteral("Serve https with a fresh self-signed certificate."));
    const QCommandLineOption contextOption(QStringLiteral("context-path"),
        QStringLiteral("Context path, e.g. /contour."), QStringLiteral("path"));
    const QCommandLineOption accountsOption(QStringLiteral("accounts"),
        QStringLiteral("JSON file of accounts replacing the built-in ones."),
        QStringLiteral("file"));
    const QCommandLineOption delayOption(QStringLiteral("delay"),
        QStringLiteral("Delay of the \"slow\" behaviour in ms."), QStringLiteral("ms"),
        QStringLiteral("5000"));
    const QCommandLineOption legacyOption(QStringLiteral("legacy-token"),
        QStringLiteral("Answer token requests the pre-2024 way (\"bearer\" plus extra fields)."));
    const QCommandLineOption notFoundOption(QStringLiteral("unknown-404"),
        QStringLiteral("Answer unknown paths with 404 instead of the HTML login page."));
    parser.addOptions({ portOption, tlsOption, contextOption, accountsOption, delayOption,
        legacyOption, notFoundOption });
    parser.process(app);

    cd::fake::FakeJamaServer server;
    bool ok = false;
    const uint port = parser.value(portOption).toUInt(&ok);
    if (!ok || port > 65535) {
        std::fprintf(stderr, "fake-jama: --port needs a number from 0 to 65535\n");
        return 2;
    }
    if (parser.isSet(accountsOption)) {
        QString error;
        if (!server.loadAccounts(parser.value(accountsOption), &error)) {
            std::fprintf(stderr, "fake-jama: %s\n", qPrintable(error));
            return 2;
        }
    }
    server.setContextPath(parser.value(contextOption));
    server.setDelayMs(parser.value(delayOption).toInt());
    server.setLegacyTokenFormat(parser.isSet(legacyOption));
    server.setUnknownPathStatus(parser.isSet(notFoundOption) ? 404 : 200);
    if (parser.isSet(tlsOption) && !server.enableTls()) {
        std::fprintf(stderr, "fake-jama: %s\n", qPrintable(server.errorString()));
        return 1;
    }
    if (!server.listen(quint16(port))) {
        std::fprintf(stderr, "fake-jama: cannot listen: %s\n", qPrintable(server.errorString()));
        return 1;
    }
    std::printf("%s\n", server.baseUrl().toString().toUtf8().constData());
    std::fflush(stdout);
    if (server.isTls()) {
        std::fprintf(stderr, "fake-jama: certificate SHA-256 %s\n",
            server.certificateSha256().toHex(':').toUpper().constData());
    }
    std::fprintf(
        stderr, "fake-jama: serving; accounts use the password \"password\" (see README)\n");
    return app.exec();
}
