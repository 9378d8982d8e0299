import Agenda
import Store
import StructureConfig
import Foundation
import Hummingbird

/// An `application/x-www-form-urlencoded` body: the console's forms.
struct FormData: Sendable {
    static let maximumBytes = 64 * 1024
    private(set) var fields: [(String, String)] = []

    init(_ text: String) {
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            fields.append((decode(parts[0]), parts.count > 1 ? decode(parts[1]) : ""))
        }
    }

    static func read(_ request: Request) async throws -> FormData {
        let contentType = request.headers[.contentType] ?? ""
        guard contentType.lowercased().hasPrefix("application/x-www-form-urlencoded") else {
            throw HTTPError(.unsupportedMediaType, message: "Formulaire attendu (application/x-www-form-urlencoded).")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maximumBytes)
        } catch {
            throw HTTPError(.contentTooLarge, message: "Formulaire trop volumineux.")
        }
        return FormData(String(buffer: buffer))
    }

    subscript(_ name: String) -> String? {
        fields.first { $0.0 == name }.map { $0.1.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    func all(_ name: String) -> [String] { fields.filter { $0.0 == name }.map(\.1) }

    func has(_ name: String) -> Bool { fields.contains { $0.0 == name } }

    /// A non-empty field, or nil.
    func nonEmpty(_ name: String) -> String? { self[name].flatMap { $0.isEmpty ? nil : $0 } }
}
