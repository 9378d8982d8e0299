import CSane
import Foundation
import Synchronization

/// `Scanner` over libsane. SANE is process-global and not thread-safe, so every call holds
/// one lock; the library is initialised once and stays loaded.
public final class SaneScanner: DocumentScanner, Sendable {
    /// The one lock every SANE call holds; its value says whether `sane_init` has run.
    private static let library = Mutex(false)
    /// Backend-specific options set before each scan (name → value), from the configuration;
    /// the tests use them to force the SANE test backend's error statuses.
    private let extraOptions: [String: String]

    public init(extraOptions: [String: String] = [:]) {
        self.extraOptions = extraOptions
    }

    /// Runs `body` holding SANE's lock, the library initialised.
    private static func withSane<T: Sendable>(_ body: () throws(ScannerError) -> T) throws(ScannerError) -> T {
        try library.withLock { (initialised: inout Bool) throws(ScannerError) -> T in
            if !initialised {
                var version: SANE_Int = 0
                _ = sane_init(&version, nil)
                initialised = true
            }
            return try body()
        }
    }

    public func devices() throws(ScannerError) -> [ScannerDevice] {
        try Self.withSane { () throws(ScannerError) -> [ScannerDevice] in try Self.listDevices() }
    }

    private static func listDevices() throws(ScannerError) -> [ScannerDevice] {
        var list: UnsafeMutablePointer<UnsafePointer<SANE_Device>?>?
        let status = sane_get_devices(&list, 1)
        guard status == SANE_STATUS_GOOD else { throw Self.error(status) }
        var devices: [ScannerDevice] = []
        var i = 0
        while let device = list?[i] {
            let d = device.pointee
            devices.append(
                ScannerDevice(name: String(cString: d.name), vendor: String(cString: d.vendor), model: String(cString: d.model), type: String(cString: d.type)))
            i += 1
        }
        return devices
    }

    public func scan(device: String, settings: ScanSettings, into folder: URL, name: String, workFolder: URL) throws(ScannerError) -> ScannedDocument {
        guard name.range(of: #"^[A-Za-z0-9_-]{1,64}$"#, options: .regularExpression) != nil else { throw .invalidSetting("name") }
        return try Self.withSane { () throws(ScannerError) -> ScannedDocument in
            try scanHoldingSane(device: device, settings: settings, into: folder, name: name, workFolder: workFolder)
        }
    }

    private func scanHoldingSane(device: String, settings: ScanSettings, into folder: URL, name: String, workFolder: URL) throws(ScannerError) -> ScannedDocument {
        var handle: SANE_Handle?
        let opened = sane_open(device, &handle)
        guard opened == SANE_STATUS_GOOD, let handle else { throw opened == SANE_STATUS_INVAL ? .noDevice : Self.error(opened) }
        defer { sane_close(handle) }
        let options = SaneOptions(handle: handle)
        try options.apply(settings)
        for (key, value) in extraOptions.sorted(by: { $0.key < $1.key }) { try options.set(key, string: value) }

        // Pages are read one after the other; each page is JPEG-encoded on another core
        // while the scanner reads the next one.
        let encoded = EncodedPages(count: settings.maxPages)
        let group = DispatchGroup()
        var pageCount = 0
        defer { group.wait() }
        while pageCount < settings.maxPages {
            let started = sane_start(handle)
            if started == SANE_STATUS_NO_DOCS && pageCount > 0 { break }  // the feeder is done
            guard started == SANE_STATUS_GOOD else {
                sane_cancel(handle)
                throw Self.error(started)
            }
            let raw: RawPage
            do throws(ScannerError) {
                raw = try Self.readPage(handle)
            } catch {
                sane_cancel(handle)
                throw error
            }
            let index = pageCount
            group.enter()
            DispatchQueue.global(qos: .userInitiated).async {
                encoded.store(index, raw.encode(dpi: settings.resolution))
                group.leave()
            }
            pageCount += 1
            if settings.source == .flatbed { break }
        }
        sane_cancel(handle)
        group.wait()
        let pages = encoded.pages(pageCount)
        do {
            let work = workFolder.appendingPathComponent("\(name).pdf.part")
            try ImagePDF.write(pages.map(\.pdfPage), to: work)
            var previews: [URL] = []
            for (i, page) in pages.enumerated() {
                let url = workFolder.appendingPathComponent("\(name)-\(i + 1).jpg")
                try page.preview.write(to: url, options: .atomic)
                previews.append(url)
            }
            let final = folder.appendingPathComponent("\(name).pdf")
            try? FileManager.default.removeItem(at: final)
            try FileManager.default.moveItem(at: work, to: final)
            return ScannedDocument(pdf: final, pages: pageCount, previews: previews)
        } catch {
            try? FileManager.default.removeItem(at: workFolder.appendingPathComponent("\(name).pdf.part"))
            throw .failed("\(error)")
        }
    }

    /// Reads one frame to its end. A frame of unknown height (hand scanners) grows until EOF.
    private static func readPage(_ handle: SANE_Handle) throws(ScannerError) -> RawPage {
        var parameters = SANE_Parameters()
        let status = sane_get_parameters(handle, &parameters)
        guard status == SANE_STATUS_GOOD else { throw error(status) }
        guard parameters.depth == 8, parameters.format == SANE_FRAME_GRAY || parameters.format == SANE_FRAME_RGB, parameters.last_frame != 0 else {
            throw .unsupported("frame format \(parameters.format.rawValue), depth \(parameters.depth)")
        }
        let components = parameters.format == SANE_FRAME_RGB ? 3 : 1
        let bytesPerLine = Int(parameters.bytes_per_line)
        let width = Int(parameters.pixels_per_line)
        guard width > 0, bytesPerLine >= width * components else { throw .unsupported("line of \(bytesPerLine) bytes") }
        var data = [UInt8]()
        if parameters.lines > 0 { data.reserveCapacity(bytesPerLine * Int(parameters.lines)) }
        var chunk = [UInt8](repeating: 0, count: 256 * 1024)
        while true {
            var length: SANE_Int = 0
            let read = chunk.withUnsafeMutableBufferPointer { sane_read(handle, $0.baseAddress, SANE_Int($0.count), &length) }
            if read == SANE_STATUS_EOF { break }
            guard read == SANE_STATUS_GOOD else { throw error(read) }
            data.append(contentsOf: chunk[0..<Int(length)])
        }
        let lines = data.count / bytesPerLine
        guard lines > 0 else { throw .failed("empty page") }
        return RawPage(pixels: data, width: width, height: lines, components: components, bytesPerLine: bytesPerLine)
    }

    static func error(_ status: SANE_Status) -> ScannerError {
        switch status {
        case SANE_STATUS_NO_DOCS: .feederEmpty
        case SANE_STATUS_JAMMED: .jammed
        case SANE_STATUS_COVER_OPEN: .coverOpen
        case SANE_STATUS_DEVICE_BUSY: .busy
        case SANE_STATUS_IO_ERROR: .ioError
        case SANE_STATUS_CANCELLED: .cancelled
        case SANE_STATUS_UNSUPPORTED: .unsupported("status")
        case SANE_STATUS_INVAL: .invalidSetting("value")
        default: .failed(String(cString: sane_strstatus(status)))
        }
    }
}

/// One page as read from SANE, before encoding.
struct RawPage: Sendable {
    let pixels: [UInt8]
    let width: Int
    let height: Int
    let components: Int
    let bytesPerLine: Int

    struct Encoded: Sendable {
        let pdfPage: ImagePDF.Page
        let preview: Data
    }

    func encode(dpi: Int) -> Encoded {
        // Some backends pad each line: keep only the pixels.
        let packed: [UInt8]
        if bytesPerLine == width * components {
            packed = pixels
        } else {
            packed = (0..<height).flatMap { pixels[$0 * bytesPerLine..<$0 * bytesPerLine + width * components] }
        }
        return packed.withUnsafeBufferPointer { buffer in
            Encoded(
                pdfPage: ImagePDF.Page(
                    jpeg: JPEGEncoder.encode(buffer, width: width, height: height, components: components), width: width, height: height,
                    gray: components == 1, dpi: dpi),
                preview: JPEGEncoder.preview(buffer, width: width, height: height, components: components))
        }
    }
}

/// The encoded pages, filled from several threads.
private final class EncodedPages: Sendable {
    private let slots: Mutex<[RawPage.Encoded?]>

    init(count: Int) { slots = Mutex(Array(repeating: nil, count: count)) }

    func store(_ index: Int, _ page: RawPage.Encoded) {
        slots.withLock { $0[index] = page }
    }

    func pages(_ count: Int) -> [RawPage.Encoded] {
        slots.withLock { Array($0[0..<count].compactMap { $0 }) }
    }
}

/// The options of an open SANE handle, found by their well-known names.
struct SaneOptions {
    let handle: SANE_Handle

    private func find(_ name: String) -> (Int32, SANE_Option_Descriptor)? {
        var count: SANE_Int = 0
        guard sane_control_option(handle, 0, SANE_ACTION_GET_VALUE, &count, nil) == SANE_STATUS_GOOD else { return nil }
        for n in 1..<max(1, count) {
            guard let descriptor = sane_get_option_descriptor(handle, n), let raw = descriptor.pointee.name else { continue }
            if String(cString: raw) == name { return (n, descriptor.pointee) }
        }
        return nil
    }

    private func strings(_ descriptor: SANE_Option_Descriptor) -> [String] {
        guard descriptor.constraint_type == SANE_CONSTRAINT_STRING_LIST, var list = descriptor.constraint.string_list else { return [] }
        var values: [String] = []
        while let value = list.pointee {
            values.append(String(cString: value))
            list += 1
        }
        return values
    }

    func apply(_ settings: ScanSettings) throws(ScannerError) {
        if let (_, descriptor) = find(SANE_NAME_SCAN_SOURCE) {
            let values = strings(descriptor)
            let wanted =
                switch settings.source {
                case .flatbed: values.first { $0.localizedCaseInsensitiveContains("flatbed") }
                case .feeder: values.first { $0.localizedCaseInsensitiveContains("feeder") || $0.localizedCaseInsensitiveContains("ADF") }
                }
            guard let wanted else { throw .unsupported("source \(settings.source.rawValue)") }
            try set(SANE_NAME_SCAN_SOURCE, string: wanted)
        } else if settings.source == .feeder {
            throw .unsupported("no feeder")
        }
        if let (_, descriptor) = find(SANE_NAME_SCAN_MODE) {
            let values = strings(descriptor)
            let wanted = settings.colour == .colour ? ["Color", "Colour", "RGB"] : ["Gray", "Grayscale", "Gray8"]
            guard let mode = values.first(where: { wanted.contains($0) }) else { throw .unsupported("mode \(settings.colour.rawValue)") }
            try set(SANE_NAME_SCAN_MODE, string: mode)
        }
        if find(SANE_NAME_BIT_DEPTH) != nil { try set(SANE_NAME_BIT_DEPTH, number: 8) }
        try set(SANE_NAME_SCAN_RESOLUTION, number: settings.resolution)
    }

    func set(_ name: String, string value: String) throws(ScannerError) {
        guard let (n, descriptor) = find(name) else { throw .unsupported("option \(name)") }
        switch descriptor.type {
        case SANE_TYPE_STRING:
            var buffer = [CChar](repeating: 0, count: max(Int(descriptor.size), value.utf8.count + 1))
            _ = value.withCString { strncpy(&buffer, $0, buffer.count - 1) }
            try check(sane_control_option(handle, n, SANE_ACTION_SET_VALUE, &buffer, nil))
        case SANE_TYPE_BOOL:
            guard let flag = ["yes": 1, "true": 1, "no": 0, "false": 0][value.lowercased()] else { throw .invalidSetting(name) }
            var word = SANE_Word(flag)
            try check(sane_control_option(handle, n, SANE_ACTION_SET_VALUE, &word, nil))
        case SANE_TYPE_INT, SANE_TYPE_FIXED:
            guard let number = Double(value) else { throw .invalidSetting(name) }
            try set(name, number: number)
        default:
            throw .unsupported("option \(name)")
        }
    }

    func set(_ name: String, number: Double) throws(ScannerError) {
        guard let (n, descriptor) = find(name) else { throw .unsupported("option \(name)") }
        var word: SANE_Word =
            switch descriptor.type {
            case SANE_TYPE_FIXED: SANE_Word(number * 65536)
            case SANE_TYPE_INT: SANE_Word(number.rounded())
            default: throw .unsupported("option \(name)")
            }
        try check(sane_control_option(handle, n, SANE_ACTION_SET_VALUE, &word, nil))
    }

    func set(_ name: String, number: Int) throws(ScannerError) { try set(name, number: Double(number)) }

    private func check(_ status: SANE_Status) throws(ScannerError) {
        guard status == SANE_STATUS_GOOD else { throw status == SANE_STATUS_INVAL ? .unsupported("value") : SaneScanner.error(status) }
    }
}
