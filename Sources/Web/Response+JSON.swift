import Agenda
import Foundation
import HTTPTypes
import Hummingbird

extension Response {
    /// A JSON response with sorted keys.
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        try json(JSONEncoder.api, value, status: status)
    }

    /// A JSON response whose bookings write their instants in the structure's zone.
    static func json(zone: StructureTimeZone, _ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        try StructureTimeZone.$forEncoding.withValue(zone) { try json(JSONEncoder.api, value, status: status) }
    }

    private static func json(_ encoder: JSONEncoder, _ value: some Encodable, status: HTTPResponse.Status) throws -> Response {
        let data = try encoder.encode(value)
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A state document for a page's own script: never cached.
    static func state(_ body: [String: Any]) throws -> Response {
        let data = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
        var response = Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        response.headers[.cacheControl] = "no-store"
        return response
    }

    static func text(_ text: String, contentType: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

extension Request {
    /// A query parameter, or nil when absent.
    func query(_ name: String) -> String? { uri.queryParameters[name[...]].map(String.init) }
}

extension RequestContext {
    /// A path parameter that the route guarantees.
    func id(_ name: String = "id") throws -> String {
        guard let value = parameters.get(name), value.count <= 64 else { throw APIError.routeNotFound }
        return value
    }
}
