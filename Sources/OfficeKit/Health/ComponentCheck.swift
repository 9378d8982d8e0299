import Devices
import Foundation
import Station
import Store

/// One component's state as `/healthz` and `guichet doctor` both report it: up or down, why,
/// and for an administrator what to do.
public struct ComponentCheck: Sendable, Encodable, Equatable {
    public enum Status: String, Sendable, Encodable { case up, down }
    public let status: Status
    public let detail: String
    /// What to do when down (shown by `guichet doctor`).
    public let fix: String?

    public static func up(_ detail: String) -> ComponentCheck { ComponentCheck(status: .up, detail: detail, fix: nil) }
    public static func down(_ detail: String, fix: String) -> ComponentCheck { ComponentCheck(status: .down, detail: detail, fix: fix) }

    private enum CodingKeys: String, CodingKey { case status, detail, fix }
}

/// The checks themselves, shared by `/healthz` and `guichet doctor`: each talks to the real
/// component (a write to the database, `statvfs`, the CUPS queue, the SANE device list,
/// GStreamer's registry) and says what it found.
public enum ComponentChecks {
    /// Free space below this on the data folder's file system is "down": SQLite would soon
    /// fail every write (a booking, a wipe record).
    public static let defaultMinimumFreeBytes: Int64 = 200 * 1024 * 1024

    /// The database answers a real write (a one-row probe table, rolled back): a full disk,
    /// a read-only file or a lock held too long all show here.
    public static func database(_ database: AppDatabase) async -> ComponentCheck {
        do {
            try await database.probeWrite()
            return .up("SQLite, journal \(try await database.journalMode()), writable")
        } catch {
            return .down("the database refuses writes: \(error)", fix: "check the disk (df -h) and the data folder's owner and permissions")
        }
    }

    /// The bytes an unprivileged writer may still use on the file system holding `folder`;
    /// nil when it cannot be read (`errno` says why).
    public static func freeBytes(folder: String) -> Int64? {
        var stats = statvfs()
        guard statvfs(folder, &stats) == 0 else { return nil }
        return Int64(stats.f_bavail) * Int64(stats.f_frsize)
    }

    /// Free space on the file system holding `folder`.
    public static func disk(folder: String, minimumFree: Int64 = defaultMinimumFreeBytes) -> ComponentCheck {
        guard let free = freeBytes(folder: folder) else {
            return .down("cannot read the free space of \(folder): \(String(cString: strerror(errno)))", fix: "check that \(folder) exists")
        }
        let megabytes = free / (1024 * 1024)
        guard free >= minimumFree else {
            return .down(
                "\(megabytes) MiB free on \(folder), below \(minimumFree / (1024 * 1024)) MiB",
                fix: "free disk space (old backups beside the database, logs), or give the data folder a larger disk")
        }
        return .up("\(megabytes) MiB free on \(folder)")
    }

    /// The station's print queue: cupsd reachable, the configured queue (or any) present,
    /// started and accepting jobs.
    public static func printing(_ printer: any Printer, queue wanted: String?, server: String?) -> ComponentCheck {
        let queues: [PrintQueue]
        do { queues = try printer.queues() } catch {
            return .down("CUPS\(server.map { " at \($0)" } ?? "") not reachable: \(error.french)", fix: "apt-get install cups && systemctl enable --now cups")
        }
        guard let queue = wanted.map({ name in queues.first { $0.name == name } }) ?? queues.first else {
            return wanted.map { .down("print queue \($0) unknown to CUPS", fix: "fix kiosk.printerQueue, or create it: lpadmin -p \($0) -E -v <device-uri> -m everywhere") }
                ?? .down("CUPS has no print queue", fix: "add one: lpadmin -p accueil -E -v <device-uri> -m everywhere")
        }
        let reasons = queue.reasons.filter { $0 != "none" }
        let line = "queue \(queue.name): \(queue.state.rawValue)\(reasons.isEmpty ? "" : " (\(reasons.joined(separator: ", ")))")"
        if queue.state == .stopped || queue.offline || !queue.accepting {
            return .down(line, fix: "check the printer, then: cupsenable \(queue.name) && cupsaccept \(queue.name)")
        }
        return .up(line)
    }

    /// The station's scanner: SANE lists the configured device (or any).
    public static func scanning(_ scanner: any DocumentScanner, device wanted: String?) -> ComponentCheck {
        let devices: [ScannerDevice]
        do { devices = try scanner.devices() } catch {
            return .down("SANE failed: \(error.french)", fix: "apt-get install libsane1 sane-utils")
        }
        if let wanted {
            guard let device = devices.first(where: { $0.name == wanted }) else {
                return .down("scanner \(wanted) not found (SANE lists \(devices.map(\.name).joined(separator: ", ")))", fix: "plug the scanner in, check `scanimage -L`, or fix kiosk.scanner")
            }
            return .up("\(device.name): \(device.label)")
        }
        guard let device = devices.first else {
            return .down("no scanner found", fix: "plug the scanner in, check `scanimage -L`, and its backend in /etc/sane.d/dll.conf")
        }
        return .up("\(device.name): \(device.label)")
    }

    /// The GStreamer elements the visio needs, and the Debian package of each.
    public static let visioElements = [
        "webrtcbin": "gstreamer1.0-plugins-bad", "nicesrc": "gstreamer1.0-nice", "vp8enc": "gstreamer1.0-plugins-good",
        "opusenc": "gstreamer1.0-plugins-base", "videotestsrc": "gstreamer1.0-plugins-base",
    ]

    /// Whether GStreamer's registry has each element (`gst-inspect-1.0`: `--exists` also
    /// compares plugin versions, and libnice's plugin is versioned 0.1.x).
    public static func gstreamer() -> ComponentCheck {
        let missing = visioElements.keys.sorted().filter { output("/usr/bin/gst-inspect-1.0", [$0]) == nil }
        guard missing.isEmpty else {
            let packages = Set(missing.compactMap { visioElements[$0] }).sorted().joined(separator: " ")
            return .down("GStreamer elements missing: \(missing.joined(separator: ", "))", fix: "apt-get install gstreamer1.0-tools \(packages)")
        }
        return .up("elements \(visioElements.keys.sorted().joined(separator: ", "))")
    }

    /// A station's last wipe: a station whose wipe could not be verified is out of service.
    public static func station(_ status: StationStatus, lastWipe: WipeRecord?) -> ComponentCheck {
        if let reason = status.outOfService {
            return .down("out of service: \(reason)", fix: "an agent checks the station, then puts it back in service from the console")
        }
        if let wipe = lastWipe, !wipe.succeeded {
            return .down("last wipe not verified (\(wipe.leftovers.count) item(s) left)", fix: "an agent checks the station from the console")
        }
        return .up(lastWipe.map { "\(status.state), last wipe verified in \(Int($0.duration * 1000)) ms" } ?? "\(status.state), no session wiped yet")
    }

    /// The first line a tool prints, or nil when it fails or is missing.
    public static func output(_ tool: String, _ arguments: [String]) -> String? {
        guard FileManager.default.isExecutableFile(atPath: tool) else { return nil }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = arguments
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
    }
}
