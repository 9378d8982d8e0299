import Agenda
import Foundation
import Logging
import OfficeKit
import ServiceLifecycle
import Store

/// The daily backup of the database, inside the daemon: at start (if today's is missing) and
/// then once an hour it checks whether today's copy exists (in the structure's time zone),
/// writes it if not, and keeps the `keep` newest. A failure is logged and retried next hour;
/// `guichet doctor` and the logs say so.
struct BackupService: Service {
    let office: Office
    let databasePath: String
    let folder: String
    let keep: Int
    let logger: Logger
    var interval: Duration = .seconds(3600)

    func run() async throws {
        guard keep > 0 else { return }
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let day = office.structure.timeZone.localDate(office.clock()).description
            let (path, folder, keep) = (databasePath, self.folder, self.keep)
            do {
                let written = try await Task.detached { try DatabaseBackup.daily(from: path, into: folder, day: day, keep: keep) }.value
                if let written { logger.info("daily backup written", metadata: ["guichet.backup": "\(written)"]) }
                if let newest = Self.newestCopy(in: folder) { office.metrics.set(OfficeMetrics.Name.lastBackup, newest.timeIntervalSince1970) }
            } catch {
                logger.error("daily backup failed", metadata: ["guichet.backup": "\(folder)", "guichet.error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }

    /// When the newest copy in `folder` was written (the metrics' last success).
    static func newestCopy(in folder: String) -> Date? {
        let url = URL(fileURLWithPath: folder)
        let files = (try? FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: [.contentModificationDateKey])) ?? []
        return files.compactMap { try? $0.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate }.max()
    }
}
