import Foundation

/// Where the station's templates, texts and static files are installed (this target's bundle).
/// Adding a language is adding `strings/xx.json` with the same keys (a test checks them).
public enum KioskResources {
    public static func folder() throws -> URL {
        guard let folder = Bundle.module.resourceURL else { throw KioskResourceError(description: "the station's resources are not installed beside the binary") }
        return folder
    }

    /// Texts by language code, then key; a file that is not a JSON object of strings stops the daemon.
    public static func loadStrings() throws -> [String: [String: String]] {
        let folder = try folder().appendingPathComponent("strings")
        var result: [String: [String: String]] = [:]
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".json") {
            let url = folder.appendingPathComponent(file)
            do {
                result[String(file.dropLast(5))] = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: url))
            } catch {
                throw KioskResourceError(description: "\(url.path) is not a JSON object of texts: \(error)")
            }
        }
        guard result["fr"] != nil else { throw KioskResourceError(description: "\(folder.path)/fr.json is missing (French comes first)") }
        return result
    }
}

public struct KioskResourceError: Error, CustomStringConvertible {
    public let description: String
}
