import Foundation

/// A private cupsd for the tests (real CUPS, its own ServerRoot and port) with one queue
/// whose backend, `capture`, writes each job to a folder — and waits while a `block` file
/// exists there, so a test can hold a job in processing.
final class PrivateCUPS {
    let root: URL
    let port: Int
    let out: URL
    private var process: Process?

    var server: String { "127.0.0.1:\(port)" }
    var block: URL { out.appendingPathComponent("block") }
    var spool: URL { root.appendingPathComponent("spool") }

    /// A private cupsd running `queue`, on a port the kernel says is free; when another
    /// process takes that port before cupsd binds it, once more on another.
    static func running(queue: String) throws -> PrivateCUPS {
        for attempt in 1...3 {
            let cups = try PrivateCUPS(port: try freeTCPPort())
            do {
                try cups.start(queue: queue)
                return cups
            } catch let error as CUPSSetupError where attempt < 3 && error.description.contains("in use") {
                cups.stop()
            }
        }
        throw CUPSSetupError(description: "unreachable: the last attempt throws its own error")
    }

    /// A TCP port free on 127.0.0.1 now: the kernel's choice for port 0.
    static func freeTCPPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw CUPSSetupError(description: "no socket for a free port") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw CUPSSetupError(description: "no free port on 127.0.0.1") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private init(port: Int) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("guichet-cups-\(UUID().uuidString.prefix(8))")
        self.port = port
        out = root.appendingPathComponent("out")
        let fm = FileManager.default
        for dir in ["conf", "spool", "cache", "log", "run", "out", "bin/backend"] {
            try fm.createDirectory(at: root.appendingPathComponent(dir), withIntermediateDirectories: true)
        }
        try fm.setAttributes([.posixPermissions: 0o777], ofItemAtPath: out.path)
        try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: root.path)
        for link in ["filter", "daemon", "cgi-bin", "notifier", "monitor", "driver"] {
            try? fm.createSymbolicLink(atPath: root.appendingPathComponent("bin/\(link)").path, withDestinationPath: "/usr/lib/cups/\(link)")
        }
        // One configuration for the Swift and the Python tests (Tests/Fixtures/cupsd).
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../Fixtures/cupsd").standardized
        let backend = root.appendingPathComponent("bin/backend/capture")
        try fm.copyItem(at: fixture.appendingPathComponent("capture"), to: backend)
        try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: backend.path)
        for name in ["cupsd.conf", "cups-files.conf"] {
            let text = try String(contentsOf: fixture.appendingPathComponent(name), encoding: .utf8)
                .replacingOccurrences(of: "@ROOT@", with: root.path).replacingOccurrences(of: "@PORT@", with: String(port))
            try text.write(to: root.appendingPathComponent("conf/\(name)"), atomically: true, encoding: .utf8)
        }
    }

    var errorLog: URL { root.appendingPathComponent("log/error_log") }

    /// What cupsd said about itself: its error log, or that it wrote none.
    func log() -> String {
        (try? String(contentsOf: errorLog, encoding: .utf8)).map { "cupsd's error log (\(errorLog.path)):\n\($0)" } ?? "cupsd wrote no error log at \(errorLog.path)"
    }

    private func start(queue: String) throws {
        let cupsd = Process()
        cupsd.executableURL = URL(fileURLWithPath: "/usr/sbin/cupsd")
        cupsd.arguments = ["-f", "-c", root.appendingPathComponent("conf/cupsd.conf").path, "-s", root.appendingPathComponent("conf/cups-files.conf").path]
        // cupsd's own output goes to a file: a pipe nobody reads could block it, and its
        // backends would hold the pipe open.
        let outputFile = root.appendingPathComponent("log/cupsd.out")
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        let output = try FileHandle(forWritingTo: outputFile)
        defer { try? output.close() }
        cupsd.standardOutput = output
        cupsd.standardError = output
        try cupsd.run()
        process = cupsd
        var running = false
        for _ in 0..<100 {
            if !cupsd.isRunning { break }
            // lpstat exits 0 either way: read what it says.
            if (try? run("/usr/bin/lpstat", ["-h", server, "-r"]))?.contains("is running") == true {
                running = true
                break
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        guard running else {
            // Fail here, with cupsd's own words, rather than later with lpadmin's "Bad file descriptor".
            let exited = !cupsd.isRunning
            if !exited { kill(cupsd.processIdentifier, SIGKILL) }
            cupsd.waitUntilExit()
            let said = (try? String(contentsOf: outputFile, encoding: .utf8)) ?? ""
            throw CUPSSetupError(
                description: "the private cupsd \(exited ? "exited with status \(cupsd.terminationStatus)" : "did not answer within 10 s") on port \(port)\ncupsd printed: \(said.isEmpty ? "nothing" : said)\n\(log())")
        }
        do {
            try run("/usr/sbin/lpadmin", ["-h", server, "-p", queue, "-E", "-v", "capture:\(out.path)", "-m", "raw"])
        } catch {
            throw CUPSSetupError(description: "\(error)\n\(log())")
        }
    }

    @discardableResult
    func run(_ tool: String, _ arguments: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = arguments
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        p.waitUntilExit()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard p.terminationStatus == 0 else { throw CUPSSetupError(description: "\(tool) \(arguments): \(text)") }
        return text
    }

    /// The job's control and data files in the spool folder.
    func spoolFiles(job: Int) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: spool.path)) ?? []
        let id = String(format: "%05d", job)
        return names.filter { $0 == "c\(id)" || $0.hasPrefix("d\(id)-") }
    }

    func stop() {
        // A backend still printing holds cupsd's inherited descriptors, and Foundation waits
        // for those to close: release any held job and kill the backends with their cupsd.
        try? FileManager.default.removeItem(at: block)
        if let process, process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            _ = try? run("/usr/bin/pkill", ["-KILL", "-f", root.path])
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: root)
    }
}

struct CUPSSetupError: Error, CustomStringConvertible { let description: String }

/// A minimal valid PDF with `pages` blank A4 pages.
func samplePDF(pages: Int) -> Data {
    var objects = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [\((0..<pages).map { "\($0 + 3) 0 R" }.joined(separator: " "))] /Count \(pages) >>"]
    objects += (0..<pages).map { _ in "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>" }
    var out = "%PDF-1.4\n"
    var offsets: [Int] = []
    for (i, object) in objects.enumerated() {
        offsets.append(out.utf8.count)
        out += "\(i + 1) 0 obj\n\(object)\nendobj\n"
    }
    let xref = out.utf8.count
    out += "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n" + offsets.map { String(format: "%010d 00000 n \n", $0) }.joined()
    out += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
    return Data(out.utf8)
}
