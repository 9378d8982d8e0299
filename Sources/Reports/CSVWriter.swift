import Foundation

/// The report's tables as CSV. Two dialects: RFC 4180 (UTF-8, comma, CRLF, decimal point:
/// what scripts read) and `excel-fr` (UTF-8 with a byte-order mark, semicolon, decimal comma:
/// what a French spreadsheet opens right with a double-click).
public enum CSVWriter {
    public enum Dialect: String, Sendable, CaseIterable {
        case rfc4180 = "rfc4180"
        case excelFR = "excel-fr"

        var separator: Character { self == .rfc4180 ? "," : ";" }
    }

    public static func csv(_ table: ReportTable, dialect: Dialect = .rfc4180) -> String {
        let text = ([table.columns] + table.rows).map { row in
            row.map { field(dialect == .excelFR ? decimalComma($0) : $0, separator: dialect.separator) }.joined(separator: String(dialect.separator))
        }.joined(separator: "\r\n") + "\r\n"
        return dialect == .excelFR ? "\u{FEFF}" + text : text
    }

    static func field(_ value: String, separator: Character = ",") -> String {
        guard value.contains(where: { $0 == separator || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// "37.50" → "37,50"; any other text (a date, a label, an integer) as it is.
    static func decimalComma(_ value: String) -> String {
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        func digits(_ text: Substring) -> Bool { !text.isEmpty && text.allSatisfy { $0.isASCII && $0.isNumber } }
        guard parts.count == 2, digits(parts[1]), digits(parts[0].hasPrefix("-") ? parts[0].dropFirst() : parts[0]) else { return value }
        return "\(parts[0]),\(parts[1])"
    }

    /// Writes one `<file>.csv` per table into `folder`; returns the paths written.
    public static func write(_ report: Report, to folder: URL, dialect: Dialect = .rfc4180) throws -> [URL] {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return try report.tables.map { table in
            let url = folder.appendingPathComponent("\(table.file).csv")
            try Data(csv(table, dialect: dialect).utf8).write(to: url, options: .atomic)
            return url
        }
    }
}
