import App
import Foundation
import OfficeKit
import StructureConfig
import Testing

/// The network database's password file, as the daemon reads it before joining: the secret
/// trimmed, and refused when it cannot be read or anyone may read it (the metrics token file
/// follows the same rule through `SecretFile`).
struct NetworkJoinTests {
    @Test func thePasswordFileMustBeReadableAndNotByEveryone() throws {
        let structure = try ApplicationTests.config().structure
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("guichet-secret-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("db-password").path
        func join() throws -> String? {
            do {
                _ = try NetworkJoin.membership(NetworkSettings(url: "postgres://guichet@db.example/reseau", passwordFile: file), structure: structure)
                return nil
            } catch { return String(describing: error) }
        }
        #expect(try join()?.contains("databasePasswordFile: cannot read \(file)") == true)
        try FileManager.default.createFile(atPath: file, contents: Data("s3cret-du-réseau\n".utf8), attributes: [.posixPermissions: 0o644])
        let open = try join()
        #expect(open?.contains("is readable by everyone") == true && open?.contains("s3cret") == false, "\(open ?? "accepted")")
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: file)
        #expect(try join() == nil)
        #expect(try SecretFile.read(file, setting: "databasePasswordFile") == "s3cret-du-réseau")
    }
}
