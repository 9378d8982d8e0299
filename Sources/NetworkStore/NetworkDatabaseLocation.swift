import Foundation
import PostgresNIO

/// Where the network's database is: a `postgres://` URL, checked before any connection.
///
///     postgres://user:password@host:5432/guichet?sslmode=require
///     postgres://user@/guichet?host=/run/postgresql        (a Unix socket's directory)
///
/// `sslmode`: `disable`, `prefer` (the default over TCP) or `require`.
public struct NetworkDatabaseLocation: Sendable {
    public let configuration: PostgresClient.Configuration

    /// `password`, when given, replaces the URL's (kept out of files the stations receive).
    public init(url text: String, password: String? = nil) throws(NetworkDatabaseURLError) {
        guard let url = URLComponents(string: text), url.scheme == "postgres" || url.scheme == "postgresql" else {
            throw .init("the database URL must start with postgres:// (got \(text.prefix(12))…)")
        }
        guard let user = url.user, !user.isEmpty else { throw .init("the database URL names no user") }
        let database = String(url.path.dropFirst())
        guard !database.isEmpty, !database.contains("/") else { throw .init("the database URL names no database (postgres://user@host/DATABASE)") }
        var query: [String: String] = [:]
        for item in url.queryItems ?? [] {
            guard ["sslmode", "host"].contains(item.name), let value = item.value else { throw .init("unknown database URL parameter \(item.name)") }
            query[item.name] = value
        }
        let port = url.port ?? 5432
        guard (1...65535).contains(port) else { throw .init("the database URL's port is out of range") }
        if let directory = query["host"] {
            guard directory.hasPrefix("/") else { throw .init("host= must be a socket directory (an absolute path)") }
            configuration = .init(unixSocketPath: "\(directory)/.s.PGSQL.\(port)", username: user, password: password ?? url.password, database: database)
            return
        }
        guard let host = url.host, !host.isEmpty else { throw .init("the database URL names no host") }
        let tls: PostgresClient.Configuration.TLS
        switch query["sslmode"] ?? "prefer" {
        case "disable": tls = .disable
        case "prefer": tls = .prefer(.makeClientConfiguration())
        case "require": tls = .require(.makeClientConfiguration())
        case let other: throw .init("sslmode \(other) is not one of disable, prefer, require")
        }
        configuration = .init(host: host, port: port, username: user, password: password ?? url.password, database: database, tls: tls)
    }
}

public struct NetworkDatabaseURLError: Error, CustomStringConvertible, Equatable {
    public let description: String
    init(_ description: String) { self.description = description }
}
