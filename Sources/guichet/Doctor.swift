import ArgumentParser
import Devices
import Foundation
import Store
import StructureConfig
import OfficeKit

/// `guichet doctor`: what the station's devices, the database and the tools look like from
/// here, and how to fix what is wrong. The same checks as `/healthz` (`ComponentChecks`).
struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the database, the disk, the printers (CUPS), scanners (SANE), Chromium and GStreamer plugins this machine offers.",
        discussion: "Read-only: never creates nor migrates the database. Exits 1 when something is wrong.")

    @OptionGroup var options: OfficeOptions

    func run() throws {
        let loaded = try GuichetConfig.load(path: options.config)
        var problems: [String] = []
        func report(_ name: String, _ check: ComponentCheck) {
            switch check.status {
            case .up: print("  ✓ \(check.detail)")
            case .down:
                print("  ✗ \(check.detail)\(check.fix.map { "\n      → \($0)" } ?? "")")
                problems.append(name)
            }
        }

        print("Database (\(options.databasePath))")
        do {
            _ = try AppDatabase.openExisting(path: options.databasePath)
            report("database", .up("readable, schema of this version"))
        } catch {
            report("database", .down("\(error)", fix: "start `guichet serve --data \(options.data)` once, or check --data"))
        }
        if FileManager.default.fileExists(atPath: options.data) {
            report("disk", ComponentChecks.disk(folder: options.data, minimumFree: Int64(loaded.health.minimumFreeMegabytes) * 1024 * 1024))
        }

        print("Printing (CUPS\(loaded.kiosk.cupsServer.map { " at \($0)" } ?? ""))")
        report("printing", ComponentChecks.printing(CupsPrinter(server: loaded.kiosk.cupsServer), queue: loaded.kiosk.printerQueue, server: loaded.kiosk.cupsServer))

        print("Scanning (SANE)")
        report("scanning", ComponentChecks.scanning(SaneScanner(), device: loaded.kiosk.scanner))

        print("Locked browser")
        if let version = ComponentChecks.output("/usr/bin/chromium", ["--version"]) { report("chromium", .up(version)) } else {
            report("chromium", .down("Chromium not found", fix: "apt-get install chromium"))
        }
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/cage") { report("cage", .up("cage (kiosk compositor)")) } else {
            report("cage", .down("cage not found (needed on a real station's screen)", fix: "apt-get install cage"))
        }

        print("Visio (GStreamer)")
        report("visio", ComponentChecks.gstreamer())
        print(problems.isEmpty ? "\nEverything looks right." : "\n\(problems.count) problem(s) found: \(problems.joined(separator: ", ")).")
        if !problems.isEmpty { throw ExitCode(1) }
    }
}
