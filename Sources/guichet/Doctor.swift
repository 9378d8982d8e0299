import ArgumentParser
import Devices
import Foundation
import StructureConfig

/// `guichet doctor`: what the station's devices and tools look like from here, and how to
/// fix what is wrong.
struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the printers (CUPS), scanners (SANE), Chromium and GStreamer plugins this machine offers.")

    @Option(help: "The structure's configuration file (JSON).")
    var config = "config/guichet.json"

    func run() throws {
        let loaded = try GuichetConfig.load(path: config)
        var problems: [String] = []
        func ok(_ line: String) { print("  ✓ \(line)") }
        func problem(_ line: String, fix: String) {
            print("  ✗ \(line)\n      → \(fix)")
            problems.append(line)
        }

        print("Printing (CUPS\(loaded.kiosk.cupsServer.map { " at \($0)" } ?? ""))")
        do {
            let queues = try CupsPrinter(server: loaded.kiosk.cupsServer).queues()
            if queues.isEmpty { problem("no print queue", fix: "add one: lpadmin -p accueil -E -v <device-uri> -m everywhere") }
            for q in queues {
                let line = "queue \(q.name): \(q.state.rawValue)\(q.reasons.isEmpty ? "" : " (\(q.reasons.joined(separator: ", ")))")"
                if q.state == .stopped || q.offline || !q.accepting {
                    problem(line, fix: "check the printer, then: cupsenable \(q.name) && cupsaccept \(q.name)")
                } else {
                    ok(line)
                }
            }
            if let wanted = loaded.kiosk.printerQueue, !queues.contains(where: { $0.name == wanted }) {
                problem("configured queue \(wanted) not found", fix: "fix kiosk.printerQueue in \(config) or create the queue")
            }
        } catch {
            problem("cupsd not reachable (\(error))", fix: "apt-get install cups && systemctl enable --now cups")
        }

        print("Scanning (SANE)")
        do {
            let devices = try SaneScanner().devices()
            if devices.isEmpty { problem("no scanner found", fix: "plug the scanner in, check `scanimage -L`, and its backend in /etc/sane.d/dll.conf") }
            for d in devices { ok("\(d.name): \(d.label) (\(d.type))") }
            if let wanted = loaded.kiosk.scanner, !devices.contains(where: { $0.name == wanted }) {
                problem("configured scanner \(wanted) not found", fix: "fix kiosk.scanner in \(config) (a name from the list above)")
            }
        } catch {
            problem("SANE failed: \(error.french)", fix: "apt-get install libsane1 sane-utils")
        }

        print("Locked browser")
        if let version = Self.output("/usr/bin/chromium", ["--version"]) { ok(version) } else {
            problem("Chromium not found", fix: "apt-get install chromium")
        }
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/cage") { ok("cage (kiosk compositor)") } else {
            problem("cage not found (needed on a real station's screen)", fix: "apt-get install cage")
        }

        print("Visio (GStreamer)")
        let plugins = ["webrtcbin": "gstreamer1.0-plugins-bad", "nicesrc": "gstreamer1.0-nice", "vp8enc": "gstreamer1.0-plugins-good",
                       "opusenc": "gstreamer1.0-plugins-base", "videotestsrc": "gstreamer1.0-plugins-base"]
        for (element, package) in plugins.sorted(by: { $0.key < $1.key }) {
            // `--exists` also compares versions, and libnice's plugin is versioned 0.1.x: inspect instead.
            if Self.output("/usr/bin/gst-inspect-1.0", [element]) != nil { ok("element \(element)") } else {
                problem("GStreamer element \(element) missing", fix: "apt-get install \(package) gstreamer1.0-tools")
            }
        }
        print(problems.isEmpty ? "\nEverything looks right." : "\n\(problems.count) problem(s) found.")
        if !problems.isEmpty { throw ExitCode(1) }
    }

    /// The first line a tool prints, or nil when it fails or is missing.
    static func output(_ tool: String, _ arguments: [String]) -> String? {
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
