import Foundation

/// A secret kept in a file of its own (the metrics scraper's token, the network database's
/// password): read trimmed, and refused when anyone on the machine may read it.
public enum SecretFile {
    /// The file's text; `setting` names the configuration key in the refusal.
    public static func read(_ path: String, setting: String) throws(SecretFileError) -> String {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw SecretFileError(description: "\(setting): cannot read \(path)")
        }
        if let mode = try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int, mode & 0o007 != 0 {
            throw SecretFileError(description: "\(setting): \(path) is readable by everyone (chown root:guichet \(path) && chmod 640 \(path))")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

public struct SecretFileError: Error, CustomStringConvertible {
    public let description: String
}
