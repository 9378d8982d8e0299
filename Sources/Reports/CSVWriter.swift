import Foundation

/// RFC 4180 CSV, UTF-8, comma-separated, CRLF line ends; every field quoted only when needed.
public enum CSVWriter {
    public static func csv(_ table: ReportTable) -> String {
        ([table.columns] + table.rows).map { $0.map(field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    static func field(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Writes one `<file>.csv` per table into `folder`; returns the paths written.
    public static func write(_ report: Report, to folder: URL) throws -> [URL] {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return try report.tables.map { table in
            let url = folder.appendingPathComponent("\(table.file).csv")
            try Data(csv(table).utf8).write(to: url, options: .atomic)
            return url
        }
    }
}
