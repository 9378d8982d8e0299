import Devices
import Foundation
import Testing

/// A private SANE configuration that enables only the `test` backend. SANE reads its
/// configuration once per process, so every scanner test shares this one.
enum PrivateSANE {
    static let configured: URL = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("guichet-sane-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try? "test\n".write(to: dir.appendingPathComponent("dll.conf"), atomically: true, encoding: .utf8)
        // The test backend's defaults, with a picture that has content to compress.
        try? """
            number_of_devices 2
            mode Gray
            depth 8
            resolution 50.0
            test-picture "Color pattern"
            br_x 200.0
            br_y 200.0
            """.write(to: dir.appendingPathComponent("test.conf"), atomically: true, encoding: .utf8)
        setenv("SANE_CONFIG_DIR", dir.path, 1)
        return dir
    }()

    static func folders() throws -> (scans: URL, work: URL) {
        _ = configured
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("guichet-scan-\(UUID().uuidString.prefix(8))")
        let scans = root.appendingPathComponent("scans"), work = root.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: scans, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        return (scans, work)
    }
}

/// What an independent PDF parser (pypdf) reads in a file: pages and their image sizes.
func pypdfPages(_ url: URL) throws -> [[Int]] {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = [
        "python3", "-c",
        """
        import json, sys, pypdf
        r = pypdf.PdfReader(sys.argv[1], strict=True)
        out = []
        for page in r.pages:
            imgs = list(page.images)
            out.append([imgs[0].image.width, imgs[0].image.height] if imgs else [])
        print(json.dumps(out))
        """,
        url.path,
    ]
    let pipe = Pipe()
    p.standardOutput = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else { throw CUPSSetupError(description: "pypdf could not read \(url.path)") }
    return try JSONDecoder().decode([[Int]].self, from: data)
}

@Suite(.serialized) struct RealSANEScannerTests {
    @Test func theTestBackendsDevicesAreListed() throws {
        _ = PrivateSANE.configured
        let names = try SaneScanner().devices().map(\.name)
        #expect(names.contains("test:0") && names.contains("test:1"))
    }

    @Test func aThreePageFeederScanGivesOneValidThreePagePDF() throws {
        let (scans, work) = try PrivateSANE.folders()
        let settings = try ScanSettings(resolution: 300, colour: .colour, source: .feeder, maxPages: 3)
        let document = try SaneScanner().scan(device: "test:0", settings: settings, into: scans, name: "scan-1", workFolder: work)
        #expect(document.pages == 3)
        #expect(document.pdf == scans.appendingPathComponent("scan-1.pdf"))
        #expect(document.previews.count == 3 && document.previews.allSatisfy { FileManager.default.fileExists(atPath: $0.path) })
        // 200 mm at 300 dpi = 2362 pixels.
        #expect(try pypdfPages(document.pdf) == Array(repeating: [2362, 2362], count: 3))
        #expect(try FileManager.default.contentsOfDirectory(atPath: scans.path) == ["scan-1.pdf"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: work.path).allSatisfy { !$0.hasSuffix(".part") })
    }

    @Test func theFlatbedScansOnePageInGray() throws {
        let (scans, work) = try PrivateSANE.folders()
        let settings = try ScanSettings(resolution: 150, colour: .gray, source: .flatbed, maxPages: 5)
        let document = try SaneScanner().scan(device: "test:1", settings: settings, into: scans, name: "scan-2", workFolder: work)
        #expect(document.pages == 1)
        #expect(try pypdfPages(document.pdf) == [[1181, 1181]])
    }

    @Test(arguments: [
        ("SANE_STATUS_NO_DOCS", ScannerError.feederEmpty), ("SANE_STATUS_JAMMED", .jammed), ("SANE_STATUS_COVER_OPEN", .coverOpen),
        ("SANE_STATUS_IO_ERROR", .ioError),
    ])
    func aForcedStatusGivesItsMessageAndNoFile(status: String, expected: ScannerError) throws {
        let (scans, work) = try PrivateSANE.folders()
        let settings = try ScanSettings(resolution: 150, colour: .colour, source: .feeder, maxPages: 3)
        let scanner = SaneScanner(extraOptions: ["read-return-value": status])
        #expect(throws: expected) { try scanner.scan(device: "test:0", settings: settings, into: scans, name: "scan-3", workFolder: work) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: scans.path).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: work.path).isEmpty)
    }

    @Test func messagesAreFrenchAndSayWhatToDo() {
        #expect(ScannerError.feederEmpty.french.contains("chargeur est vide"))
        #expect(ScannerError.jammed.french.contains("coincée"))
        #expect(ScannerError.coverOpen.french.contains("capot"))
        #expect(ScannerError.ioError.french.contains("ne répond pas"))
    }

    @Test func badSettingsAreRefusedBeforeAnyScan() {
        #expect(throws: ScannerError.invalidSetting("resolution 301")) { try ScanSettings(resolution: 301, colour: .colour, source: .flatbed) }
        #expect(throws: ScannerError.noDevice) {
            let (scans, work) = try PrivateSANE.folders()
            _ = try SaneScanner().scan(device: "test:9", settings: try ScanSettings(resolution: 150, colour: .gray, source: .flatbed), into: scans, name: "x", workFolder: work)
        }
    }
}
