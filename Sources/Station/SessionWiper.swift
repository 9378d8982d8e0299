import Devices
import Foundation

/// Where a kiosk session keeps its files: one folder per session under the station's data
/// folder, holding the downloads, the scans, the files sent to print and the browser profile;
/// it is also the browser's HOME (its TMPDIR is `scratch`), so nothing the browser writes
/// lands outside the wipe.
public struct SessionFolders: Sendable {
    public let root: URL
    public static let parts = ["downloads", "scans", "print", "profile", "tmp"]

    public init(data: URL, station: String) {
        root = data.appendingPathComponent("stations").appendingPathComponent(station).appendingPathComponent("sessions")
    }

    public func folder(_ session: String) -> URL { root.appendingPathComponent(session) }

    /// The browser's TMPDIR: Chromium puts a Unix socket there, whose path must stay under
    /// 108 bytes, so it is a short folder of `/tmp` rather than one inside the session's
    /// folder; the wipe removes and checks it with the rest.
    public static func scratch(_ session: String) -> URL { URL(fileURLWithPath: "/tmp/guichet-\(session)") }

    public func create(_ session: String) throws -> URL {
        let folder = folder(session)
        for part in Self.parts {
            try FileManager.default.createDirectory(at: folder.appendingPathComponent(part), withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        }
        return folder
    }

    /// Set before a session sends its first job: only then must the wipe ask the spooler
    /// (a station whose printer is down can still wipe a session that never printed).
    public func markPrinting(_ session: String) {
        _ = FileManager.default.createFile(atPath: folder(session).appendingPathComponent(".printing").path, contents: nil)
    }

    public func mayHavePrinted(_ session: String) -> Bool {
        FileManager.default.fileExists(atPath: folder(session).appendingPathComponent(".printing").path)
    }

    /// Sessions whose folder is still there: after a crash, each must be wiped before the
    /// station serves anyone.
    public func leftovers() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []).sorted()
    }
}

/// The result of one wipe, recorded without any content.
public struct WipeRecord: Sendable, Equatable {
    public let session: String
    public let at: Date
    public let duration: TimeInterval
    public let succeeded: Bool
    /// What was still there after the wipe (paths or job ids), empty on success.
    public let leftovers: [String]
}

/// Removes everything a session left, then checks that nothing is left.
public struct SessionWiper: Sendable {
    public let folders: SessionFolders
    public let printer: (any Printer)?

    public init(folders: SessionFolders, printer: (any Printer)?) {
        self.folders = folders
        self.printer = printer
    }

    /// The print job title that ties a job to its session (and nothing about the usager).
    public static func jobTitle(_ session: String) -> String { "guichet-\(session)" }

    /// Cancels and purges every job of the session, active or completed, then asks again: a
    /// job cancelled while printing stays in the history (with its control file) until its
    /// backend stops, and only a purge of the completed job removes it. What is still listed
    /// after a few seconds is a leftover, and the wipe fails.
    func purgeJobs(_ session: String, _ printer: any Printer) -> [String] {
        let title = Self.jobTitle(session)
        do {
            for _ in 0..<50 {
                let jobs = try printer.jobs(queue: nil, activeOnly: false).filter { $0.title == title }
                if jobs.isEmpty { return [] }
                for job in jobs { try? printer.cancel(job: job.id, queue: job.queue, purge: true) }
                usleep(100_000)
            }
            return try printer.jobs(queue: nil, activeOnly: false).filter { $0.title == title }.map { "job \($0.id)" }
        } catch {
            return ["printer: \(error.french)"]
        }
    }

    public func wipe(_ session: String, now: Date = Date()) -> WipeRecord {
        let start = DispatchTime.now().uptimeNanoseconds
        var leftovers: [String] = []
        // Print jobs first: their spool copies and their history are the session's too.
        if let printer, folders.mayHavePrinted(session) {
            leftovers += purgeJobs(session, printer)
        }
        for folder in [folders.folder(session), SessionFolders.scratch(session)] {
            try? FileManager.default.removeItem(at: folder)
            if FileManager.default.fileExists(atPath: folder.path) { leftovers.append(folder.path) }
        }
        return WipeRecord(
            session: session, at: now, duration: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, succeeded: leftovers.isEmpty,
            leftovers: leftovers)
    }
}
