import Agenda
import OfficeKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Store
import Testing
import Web

/// What the HTTP face promises whatever the route: JSON-only writes (sign-in included),
/// exact media types, 405 with `Allow`, and an OpenAPI document that lists those statuses.
struct HTTPContractTests {
    /// path → method → the statuses the OpenAPI document lists.
    static let paths: [String: [String: Set<String>]] = {
        let doc = try! JSONSerialization.jsonObject(with: Data(OpenAPIDocument.text.utf8)) as! [String: Any]
        let paths = doc["paths"] as! [String: [String: [String: Any]]]
        return paths.mapValues { operations in operations.mapValues { Set(($0["responses"] as? [String: Any] ?? [:]).keys) } }
    }()


    static func responses(_ method: String, _ path: String) -> Set<String> { paths[path]?[method] ?? [] }

    @Test func signInFromACrossSiteTextPlainFormIsRefusedWithoutASession() async throws {
        let office = try await makeOffice()
        _ = try await office.addAgent(login: "camille", displayName: "Camille", role: .manager, password: testPassword, actor: "test")
        try await daemon(office).test(.router) { client in
            // What <form enctype="text/plain"> on another site sends.
            let body = ByteBuffer(string: #"{"login":"camille","password":"\#(testPassword)","x":"="}"#)
            for type in ["text/plain", "application/jsonx", "application/x-www-form-urlencoded", "text/json"] {
                let response = try await client.execute(uri: "/api/v1/session", method: .post, headers: [.contentType: type], body: body)
                #expect(response.status == .unsupportedMediaType, "\(type)")
                #expect(response.headers[.setCookie] == nil, "\(type)")
            }
            let none = try await client.execute(uri: "/api/v1/session", method: .post, body: body)
            #expect(none.status == .unsupportedMediaType)
            let json = try await client.execute(
                uri: "/api/v1/session", method: .post, headers: [.contentType: "Application/JSON; charset=utf-8"], body: body)
            #expect(json.status == .created)
        }
        #expect(Self.responses("post", "/api/v1/session").contains("415"))
    }

    @Test func everyJSONWriteRefusesAnotherMediaTypeAndTheDocumentSaysSo() async throws {
        let office = try await makeOffice()
        try await daemon(office).test(.router) { client in
            let cookie = try await signIn(client, office)[.cookie]!
            var checked = 0
            for (path, operations) in Self.paths where path.hasPrefix("/api/v1/") && path != "/api/v1/session" {
                for method in operations.keys where ["post", "put", "patch"].contains(method) {
                    let uri = path.replacingOccurrences(of: #"\{[a-z]+\}"#, with: "inconnu", options: .regularExpression)
                    let response = try await client.execute(
                        uri: uri, method: HTTPRequest.Method(method.uppercased())!, headers: [.cookie: cookie, .contentType: "application/jsonx"],
                        body: ByteBuffer(string: "{}"))
                    #expect(response.status == .unsupportedMediaType, "\(method) \(path)")
                    #expect(Self.responses(method, path).contains("415"), "\(method) \(path) does not document 415")
                    checked += 1
                }
            }
            #expect(checked > 10)
        }
    }

    @Test func managerWritesAreRefusedToAgentsAndTheDocumentSaysSo() async throws {
        let office = try await makeOffice()
        try await daemon(office).test(.router) { client in
            let headers = try await signIn(client, office, login: "dominique", role: .agent)
            for (path, operations) in Self.paths where ["/api/v1/opening-hours", "/api/v1/holidays", "/api/v1/closures", "/api/v1/permanences", "/api/v1/specialists"].contains(where: path.hasPrefix) {
                for method in operations.keys where method != "get" {
                    let uri = path.replacingOccurrences(of: #"\{[a-z]+\}"#, with: "inconnu", options: .regularExpression)
                    let response = try await client.execute(uri: uri, method: HTTPRequest.Method(method.uppercased())!, headers: headers, body: ByteBuffer(string: "{}"))
                    #expect(response.status == .forbidden, "\(method) \(path)")
                    #expect(Self.responses(method, path).contains("403"), "\(method) \(path) does not document 403")
                }
            }
        }
    }

    @Test func aRouteWithoutTheMethodAnswers405WithAllow() async throws {
        let office = try await makeOffice()
        try await daemon(office).test(.router) { client in
            let put = try await client.execute(uri: "/api/v1/bookings", method: .put)
            #expect(put.status == .methodNotAllowed)
            #expect(put.headers[.allow] == "GET, POST")
            let delete = try await client.execute(uri: "/api/v1/bookings/b-123/cancel", method: .delete)
            #expect(delete.status == .methodNotAllowed && delete.headers[.allow] == "POST")
            let health = try await client.execute(uri: "/healthz", method: .post)
            #expect(health.status == .methodNotAllowed && health.headers[.allow] == "GET")
            // An unknown path stays 404; a known route with an unknown id too.
            #expect(try await client.execute(uri: "/api/v1/nothing", method: .put).status == .notFound)
            #expect(try await client.execute(uri: "/api/v1/availability/x", method: .get).status == .notFound)
        }
    }
}
