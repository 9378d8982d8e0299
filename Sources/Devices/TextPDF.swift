import Foundation

/// A one-page A4 PDF of plain lines in Helvetica (the station's appointment slip): the 14
/// standard fonts need no embedding, and WinAnsiEncoding carries French (é, è, à, ç, œ, €).
/// Long lines are wrapped at a width the font size allows; what does not fit one page is cut.
public enum TextPDF {
    public struct Line: Sendable {
        public var text: String
        public var size: Int
        public var bold: Bool

        public init(_ text: String, size: Int = 12, bold: Bool = false) {
            self.text = text
            self.size = size
            self.bold = bold
        }
    }

    static let width = 595, height = 842, margin = 56

    public static func page(_ lines: [Line]) -> Data {
        var content = Data()
        var y = height - margin
        for line in lines {
            // Helvetica averages about half an em per character: a conservative wrap.
            let columns = max(10, (width - 2 * margin) * 2 / line.size - 4)
            for piece in wrap(line.text, columns: columns) {
                y -= line.size * 3 / 2
                guard y > margin else { break }
                content.append(Data("BT /\(line.bold ? "F2" : "F1") \(line.size) Tf \(margin) \(y) Td (".utf8))
                content.append(escaped(piece))
                content.append(Data(") Tj ET\n".utf8))
            }
            y -= line.size / 2
        }
        var pdf = Data("%PDF-1.4\n".utf8)
        var offsets: [Int] = []
        func object(_ body: Data) {
            offsets.append(pdf.count)
            pdf.append(Data("\(offsets.count) 0 obj\n".utf8))
            pdf.append(body)
            pdf.append(Data("\nendobj\n".utf8))
        }
        object(Data("<< /Type /Catalog /Pages 2 0 R >>".utf8))
        object(Data("<< /Type /Pages /Kids [3 0 R] /Count 1 >>".utf8))
        object(Data("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 \(width) \(height)] /Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> /Contents 4 0 R >>".utf8))
        object(Data("<< /Length \(content.count) >>\nstream\n".utf8) + content + Data("\nendstream".utf8))
        object(Data("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".utf8))
        object(Data("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>".utf8))
        let xref = pdf.count
        var table = "xref\n0 \(offsets.count + 1)\n0000000000 65535 f \n"
        for offset in offsets { table += String(format: "%010d 00000 n \n", offset) }
        table += "trailer\n<< /Size \(offsets.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        pdf.append(Data(table.utf8))
        return pdf
    }

    static func wrap(_ text: String, columns: Int) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            if current.isEmpty {
                current = String(word)
            } else if current.count + 1 + word.count <= columns {
                current += " " + word
            } else {
                lines.append(current)
                current = String(word)
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }

    /// Whether Helvetica's WinAnsiEncoding carries every character of `text` (French, English,
    /// Spanish, Portuguese do; Arabic, Ukrainian, Turkish's ğ ş ı and Romanian's ș ț do not).
    public static func canCarry(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { windows1252($0) != nil }
    }

    static func windows1252(_ scalar: Unicode.Scalar) -> UInt8? {
        switch scalar.value {
        case 0x20...0x7E, 0xA0...0xFF: UInt8(scalar.value)
        case 0x2019: 0x92  // ’
        case 0x2018: 0x91
        case 0x201C: 0x93
        case 0x201D: 0x94
        case 0x2013: 0x96  // –
        case 0x2014: 0x97  // —
        case 0x2026: 0x85  // …
        case 0x20AC: 0x80  // €
        case 0x0153: 0x9C  // œ
        case 0x0152: 0x8C
        case 0x202F, 0x2009: 0x20  // thin spaces
        default: nil
        }
    }

    /// The string's bytes in Windows-1252, PDF-escaped; what it cannot carry becomes "?".
    static func escaped(_ text: String) -> Data {
        var bytes = Data()
        for scalar in text.unicodeScalars {
            let byte = windows1252(scalar) ?? UInt8(ascii: "?")
            if byte == UInt8(ascii: "(") || byte == UInt8(ascii: ")") || byte == UInt8(ascii: "\\") { bytes.append(UInt8(ascii: "\\")) }
            bytes.append(byte)
        }
        return bytes
    }
}
