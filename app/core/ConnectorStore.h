#pragma once

#include "Connector.h"

#include <QJsonObject>
#include <QList>
#include <QMutex>
#include <QString>
#include <memory>

namespace cd {

// connectors.json in the data directory: the connectors' metadata (never a secret).
//
// Format: {"schemaVersion": 1, "schemaMinor": 0, "connectors": [ {...}, ... ]}
// A newer minor version may add fields: unknown fields (top level and per connector) are
// kept and written back. A newer major version is refused.
//
// Safety: saves are atomic and durable (QSaveFile: write a temporary file, fsync, rename).
// A file that cannot be read is never overwritten: after a failed load the store is
// "blocked" and refuses to save until the user chooses keepReadOnly() (stay blocked, but
// knowingly) or moveBadFileAside() (rename it, start empty).
class ConnectorStore
{
public:
    static constexpr int kSchemaMajor = 1;
    static constexpr int kSchemaMinor = 0;
    static constexpr qint64 kMaxFileSize = 64 * 1024 * 1024;

    enum class State { NotLoaded, Ok, Blocked };

    explicit ConnectorStore(const QString &dataDir);

    QString dataDir() const { return m_dataDir; }
    QString filePath() const;
    State state() const { return m_state; }
    // The last load error (user-facing, names the file), or empty.
    QString loadError() const { return m_loadError; }

    // Reads the file. A missing file is an empty list. On failure returns false, sets
    // `error`, leaves the file untouched and blocks saving.
    bool load(QList<Connector> *connectors, QString *error);

    // Writes all connectors atomically. Fails (and changes nothing on disk) when blocked or
    // when anything in the write fails.
    bool save(const QList<Connector> &connectors, QString *error);

    // A save split in two, so that the writing can run on another thread: prepareWrite()
    // copies what is needed (on the owner's thread; a Blocked store must not be written,
    // check state() first), write() serialises and writes it atomically (any thread).
    //
    // Writes are numbered when prepared; a write that was prepared before one that has
    // already reached the disk is dropped at commit (`superseded`), so a slow background
    // write can never put back an older list, and nobody has to wait for it.
    struct CommitGate
    {
        QMutex mutex;
        quint64 committed = 0; // the newest write on disk
    };
    struct Write
    {
        QString dataDir;
        QString path;
        QList<Connector> connectors;
        QJsonObject topLevelExtra;
        int schemaMinor = kSchemaMinor;
        quint64 generation = 0;
        std::shared_ptr<CommitGate> gate;
    };
    Write prepareWrite(const QList<Connector> &connectors);
    static bool write(const Write &w, QString *error, bool *superseded = nullptr);
    quint64 committedGeneration() const;

    // The user's choices after a failed load.
    void keepReadOnly() { m_readOnlyAcknowledged = true; }
    bool isReadOnlyAcknowledged() const { return m_readOnlyAcknowledged; }
    // Renames the bad file to connectors.json.bad-YYYYMMDD-HHMMSS (never deletes it) and
    // unblocks the store with an empty list.
    bool moveBadFileAside(QString *movedTo, QString *error);

    // JSON mapping, public for the import/export format and tests.
    static QJsonObject toJson(const Connector &c);
    // The fields that define a connector (application, name, url, verifySsl, authType,
    // username or clientId, pinned certificate): no id, no state, never a secret. Shared by
    // connectors.json and the export format.
    static QJsonObject definitionToJson(const Connector &c);
    // Returns false with a reason naming the field.
    static bool fromJson(const QJsonObject &o, Connector *c, QString *error);
    static QByteArray serialize(
        const QList<Connector> &connectors, const QJsonObject &topLevelExtra, int schemaMinor);

private:
    QString m_dataDir;
    State m_state = State::NotLoaded;
    QString m_loadError;
    bool m_readOnlyAcknowledged = false;
    QJsonObject m_topLevelExtra; // unknown top-level fields of a newer minor version
    int m_fileSchemaMinor = kSchemaMinor;
    std::shared_ptr<CommitGate> m_gate = std::make_shared<CommitGate>();
    quint64 m_nextGeneration = 0;
};

} // namespace cd
