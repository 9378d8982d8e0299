import Foundation

/// Writes a PDF whose pages are JPEG images, one per page, sized from the scan's resolution
/// (so that a page scanned at 300 dpi prints at its real size).
struct ImagePDF {
    struct Page {
        let jpeg: Data
        let width: Int
        let height: Int
        let gray: Bool
        let dpi: Int
    }

    static func write(_ pages: [Page], to url: URL) throws {
        guard FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown)
        }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        var offset = 0
        var offsets: [Int: Int] = [:]
        func emit(_ data: Data) throws {
            try handle.write(contentsOf: data)
            offset += data.count
        }
        func object(_ number: Int, _ body: String, stream: Data? = nil) throws {
            offsets[number] = offset
            try emit(Data("\(number) 0 obj\n\(body)\n".utf8))
            if let stream {
                try emit(Data("stream\n".utf8))
                try emit(stream)
                try emit(Data("\nendstream\n".utf8))
            }
            try emit(Data("endobj\n".utf8))
        }
        try emit(Data("%PDF-1.4\n%\u{E2}\u{E3}\u{CF}\u{D3}\n".utf8))
        // Objects: 1 catalog, 2 page tree, then per page: page, contents, image.
        let kids = pages.indices.map { "\(3 + $0 * 3) 0 R" }.joined(separator: " ")
        try object(1, "<< /Type /Catalog /Pages 2 0 R >>")
        try object(2, "<< /Type /Pages /Kids [\(kids)] /Count \(pages.count) >>")
        for (i, page) in pages.enumerated() {
            let n = 3 + i * 3
            let w = Double(page.width) * 72 / Double(page.dpi), h = Double(page.height) * 72 / Double(page.dpi)
            let size = "\(format(w)) 0 0 \(format(h))"
            try object(n, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 \(format(w)) \(format(h))] /Resources << /XObject << /Im0 \(n + 2) 0 R >> >> /Contents \(n + 1) 0 R >>")
            let content = Data("q \(size) 0 0 cm /Im0 Do Q".utf8)
            try object(n + 1, "<< /Length \(content.count) >>", stream: content)
            try object(
                n + 2,
                "<< /Type /XObject /Subtype /Image /Width \(page.width) /Height \(page.height) /ColorSpace /\(page.gray ? "DeviceGray" : "DeviceRGB") /BitsPerComponent 8 /Filter /DCTDecode /Length \(page.jpeg.count) >>",
                stream: page.jpeg)
        }
        let count = 3 + pages.count * 3
        let xref = offset
        var table = "xref\n0 \(count)\n0000000000 65535 f \n"
        for number in 1..<count { table += String(format: "%010d 00000 n \n", offsets[number] ?? 0) }
        table += "trailer\n<< /Size \(count) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        try emit(Data(table.utf8))
        try handle.synchronize()
    }

    private static func format(_ value: Double) -> String { String(format: "%.2f", value) }
}
