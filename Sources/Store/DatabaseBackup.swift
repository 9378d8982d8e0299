import Foundation
import GRDB

/// Backups of the live database and their restoration, for the administrator's
/// `guichet backup` / `guichet restore` and the daemon's daily backup.
///
/// A backup is SQLite's online backup API (`sqlite3_backup_*`, through GRDB) in one step, in
/// one read transaction: the copy is the database as it stood at one instant, and in WAL mode
/// a reader blocks no writer, so the server's bookings go on during the copy. (Copying in
/// several steps would let each write restart the copy: under a stream of bookings it might
/// never end.) It is written beside its destination, checked (`PRAGMA integrity_check`), made
/// 0600 (it holds personal data), flushed, then renamed into place: a crash leaves the old
/// file or the new one, never half of one.
public enum DatabaseBackup {
    /// Every page in one step.
    static let pagesPerStep: Int32 = -1

    /// Copies the database at `databasePath` (which a running server may be writing) to
    /// `destination`. Returns the copy's size in bytes.
    @discardableResult
    public static func write(from databasePath: String, to destination: String) throws -> Int64 {
        let fm = FileManager.default
        guard fm.fileExists(atPath: databasePath) else {
            throw StoreError("no database at \(databasePath): check --data (it names the folder holding guichet.sqlite)")
        }
        let folder = (destination as NSString).deletingLastPathComponent
        var isFolder: ObjCBool = false
        guard fm.fileExists(atPath: folder.isEmpty ? "." : folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw StoreError("the backup's folder \(folder) does not exist")
        }
        let partial = destination + ".partial"
        try? fm.removeItem(atPath: partial)
        guard fm.createFile(atPath: partial, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw StoreError("cannot write \(partial) (is the folder writable?)")
        }
        do {
            var config = AppDatabase.configuration()
            config.readonly = true
            let source = try DatabaseQueue(path: databasePath, configuration: config)
            try AppDatabase.refuseNewer(source)
            var copyConfig = Configuration()
            copyConfig.journalMode = .default
            let copy = try DatabaseQueue(path: partial, configuration: copyConfig)
            try source.backup(to: copy, pagesPerStep: pagesPerStep)
            let verdict = try copy.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ") }
            guard verdict == "ok" else { throw StoreError("the backup's integrity check failed: \(verdict)") }
            try copy.close()
            try source.close()
            try flush(partial)
            if fm.fileExists(atPath: destination) { try fm.removeItem(atPath: destination) }
            try fm.moveItem(atPath: partial, toPath: destination)
            try flush(folder.isEmpty ? "." : folder)
        } catch {
            try? fm.removeItem(atPath: partial)
            throw error
        }
        return (try? fm.attributesOfItem(atPath: destination)[.size] as? Int64) ?? 0
    }

    /// Checks a backup before anything depends on it: SQLite's integrity check, a Guichet
    /// database (its migrations table), and not written by a newer Guichet.
    public static func check(_ path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { throw StoreError("no file at \(path)") }
        var config = Configuration()
        config.readonly = true
        let queue: DatabaseQueue
        do { queue = try DatabaseQueue(path: path, configuration: config) } catch {
            throw StoreError("\(path) is not a SQLite database: \(error)")
        }
        defer { try? queue.close() }
        let (verdict, isGuichet) = try queue.read { db -> (String, Bool) in
            let verdict = try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ")
            let migrations = try db.tableExists("grdb_migrations")
            let bookings = try db.tableExists("booking")
            return (verdict, migrations && bookings)
        }
        guard verdict == "ok" else { throw StoreError("\(path) fails SQLite's integrity check: \(verdict)") }
        guard isGuichet else { throw StoreError("\(path) is not a Guichet database") }
        try AppDatabase.refuseNewer(queue)
    }

    /// Puts `backup` in place of the database in `folder`, whose lock the caller holds (no
    /// server runs on it). The database replaced is kept aside, renamed
    /// `guichet.sqlite.before-restore-{time}`; returns that name (nil when there was none).
    @discardableResult
    public static func restore(_ backup: String, into folder: String, now: Date = Date()) throws -> String? {
        try check(backup)
        let fm = FileManager.default
        let database = (folder as NSString).appendingPathComponent("guichet.sqlite")
        let incoming = database + ".restoring"
        try? fm.removeItem(atPath: incoming)
        // Copied first (the backup itself stays where it is), then checked again in place.
        try fm.copyItem(atPath: backup, toPath: incoming)
        try fm.setAttributes([.posixPermissions: 0o600], ofItemAtPath: incoming)
        try check(incoming)
        try flush(incoming)
        var aside: String?
        if fm.fileExists(atPath: database) {
            // The current database's last writes are in its WAL: folded in before it is set aside.
            if let current = try? DatabaseQueue(path: database, configuration: AppDatabase.configuration()) {
                try? current.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
                try? current.close()
            }
            let stamp = ISO8601DateFormatter().string(from: now).replacingOccurrences(of: ":", with: "")
            let kept = "\(database).before-restore-\(stamp)"
            try fm.moveItem(atPath: database, toPath: kept)
            aside = kept
        }
        for leftover in [database + "-wal", database + "-shm"] { try? fm.removeItem(atPath: leftover) }
        try fm.moveItem(atPath: incoming, toPath: database)
        try flush(folder)
        return aside
    }

    /// The daily backups in `folder`, newest first: `guichet-YYYY-MM-DD.sqlite`.
    public static func dailyBackups(in folder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasPrefix("guichet-") && $0.hasSuffix(".sqlite") && $0.count == "guichet-YYYY-MM-DD.sqlite".count }
            .sorted(by: >).map { (folder as NSString).appendingPathComponent($0) }
    }

    /// Writes today's backup into `folder` (unless it exists) and keeps the `keep` newest.
    /// Returns the file written, nil when today's was already there.
    @discardableResult
    public static func daily(from databasePath: String, into folder: String, day: String, keep: Int) throws -> String? {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let today = (folder as NSString).appendingPathComponent("guichet-\(day).sqlite")
        var written: String?
        if !FileManager.default.fileExists(atPath: today) {
            try write(from: databasePath, to: today)
            written = today
        }
        for old in dailyBackups(in: folder).dropFirst(max(1, keep)) { try? FileManager.default.removeItem(atPath: old) }
        return written
    }

    /// fsync of a file or a folder (a rename is durable once its folder is flushed).
    private static func flush(_ path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw StoreError("cannot open \(path) to flush it") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw StoreError("cannot flush \(path) to disk") }
    }
}
