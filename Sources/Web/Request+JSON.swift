import Agenda
import Foundation
import Hummingbird

extension Request {
    /// Largest JSON body the API reads; a booking is well under 1 KiB.
    static let maximumBody = 64 * 1024

    /// Decodes a JSON body of at most 64 KiB into `T`, or throws an `APIError` (413, 400).
    func decodeJSON<T: Decodable>(_ type: T.Type) async throws -> T {
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: Self.maximumBody)
        } catch {
            throw APIError.payloadTooLarge
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch let DecodingError.keyNotFound(key, context) {
            throw APIError.malformedJSON("missing '\((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))'")
        } catch let DecodingError.typeMismatch(_, context) {
            throw APIError.malformedJSON("wrong type at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'")
        } catch let DecodingError.valueNotFound(_, context) {
            throw APIError.malformedJSON("null at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'")
        } catch let invalid as StationRecord.Invalid {
            throw APIError.malformedJSON(invalid.description)
        } catch {
            throw APIError.malformedJSON("syntax")
        }
    }
}
