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

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("guichet-cups-\(UUID().uuidString.prefix(8))")
        port = 20_000 + Int.random(in: 0..<20_000)
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
        let backend = root.appendingPathComponent("bin/backend/capture")
        try """
            #!/bin/sh
            if [ $# -eq 0 ]; then echo 'direct capture "Unknown" "Guichet test capture"'; exit 0; fi
            dir="${DEVICE_URI#capture:}"
            while [ -e "$dir/block" ]; do sleep 0.2; done
            if [ -n "$6" ]; then cat "$6" > "$dir/job-$1.out"; else cat > "$dir/job-$1.out"; fi
            """.write(to: backend, atomically: true, encoding: .utf8)
        try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: backend.path)
        try """
            Listen 127.0.0.1:\(port)
            LogLevel info
            PreserveJobHistory No
            PreserveJobFiles No
            WebInterface No
            DefaultAuthType None
            <Location />
              Order allow,deny
              Allow all
            </Location>
            <Location /admin>
              Order allow,deny
              Allow all
            </Location>
            <Policy default>
              <Limit All>
                Order deny,allow
              </Limit>
            </Policy>
            """.write(to: root.appendingPathComponent("conf/cupsd.conf"), atomically: true, encoding: .utf8)
        let r = root.path
        try """
            ServerRoot \(r)/conf
            RequestRoot \(r)/spool
            CacheDir \(r)/cache
            StateDir \(r)/run
            TempDir \(r)/spool
            ServerBin \(r)/bin
            ErrorLog \(r)/log/error_log
            AccessLog \(r)/log/access_log
            PageLog \(r)/log/page_log
            FileDevice Yes
            Printcap
            """.write(to: root.appendingPathComponent("conf/cups-files.conf"), atomically: true, encoding: .utf8)
    }

    func start(queue: String) throws {
        let cupsd = Process()
        cupsd.executableURL = URL(fileURLWithPath: "/usr/sbin/cupsd")
        cupsd.arguments = ["-f", "-c", root.appendingPathComponent("conf/cupsd.conf").path, "-s", root.appendingPathComponent("conf/cups-files.conf").path]
        try cupsd.run()
        process = cupsd
        for _ in 0..<100 {
            // lpstat exits 0 either way: read what it says.
            if (try? run("/usr/bin/lpstat", ["-h", server, "-r"]))?.contains("is running") == true { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        try run("/usr/sbin/lpadmin", ["-h", server, "-p", queue, "-E", "-v", "capture:\(out.path)", "-m", "raw"])
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
