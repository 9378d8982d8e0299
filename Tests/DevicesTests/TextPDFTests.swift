import Foundation
import Testing

@testable import Devices

/// The station's slip: one page the page counter sees, French in WinAnsi, nothing that can
/// break out of a PDF string.
struct TextPDFTests {
    @Test func aSlipIsOnePageWhateverItsLength() throws {
        let lines = (1...200).map { TextPDF.Line("Ligne \($0) : une phrase assez longue pour être coupée en deux à la largeur de la page A4, ou presque.") }
        let pdf = TextPDF.page(lines)
        #expect(pdf.starts(with: Data("%PDF-1.4".utf8)))
        #expect(PDFPages.count(pdf) == 1)
        // The cross-reference table points at each object.
        let text = String(decoding: pdf, as: UTF8.self)
        let startxref = try #require(text.range(of: "startxref\n")).upperBound
        let offset = try #require(Int(text[startxref...].prefix { $0.isNumber }))
        #expect(pdf[offset..<offset + 4] == Data("xref".utf8))
    }

    @Test func frenchLettersAreWinAnsiAndParenthesesAreEscaped() {
        #expect(TextPDF.escaped("é ç à ’ – €") == Data([0xE9, 0x20, 0xE7, 0x20, 0xE0, 0x20, 0x92, 0x20, 0x96, 0x20, 0x80]))
        #expect(TextPDF.escaped("a(b)c\\") == Data("a\\(b\\)c\\\\".utf8))
        #expect(TextPDF.escaped("日本") == Data("??".utf8))
        #expect(TextPDF.wrap("un deux trois quatre", columns: 9) == ["un deux", "trois", "quatre"])
    }
}
