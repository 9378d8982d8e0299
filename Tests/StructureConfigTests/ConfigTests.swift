import Agenda
import Foundation
import StructureConfig
import Testing

struct ConfigTests {
    static let shipped: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("config/guichet.json")

    /// The shipped demo configuration with one change applied to its JSON tree.
    func refusal(_ change: (inout [String: Any]) -> Void) throws -> ConfigError? {
        var tree = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.shipped)) as! [String: Any]
        change(&tree)
        do {
            _ = try GuichetConfig.parse(try JSONSerialization.data(withJSONObject: tree), file: "test.json")
            return nil
        } catch let error as ConfigError { return error }
    }

    @Test func theShippedDemoConfigurationIsValid() throws {
        let config = try GuichetConfig.load(path: Self.shipped.path)
        #expect(config.structure.partners.filter(\.national).count == 9)
        #expect(config.structure.confidentialRoom != nil)
        #expect(!config.demo.permanences.isEmpty)
        #expect(config.structure.partners.first { $0.id == "caf" }?.bring.contains("votre numéro d’allocataire") == true)
    }

    @Test func whatToBringIsShortAndTextual() throws {
        for bad: Any in [[""], Array(repeating: "une pièce", count: 13), [String(repeating: "x", count: 201)], [3]] {
            let refused = try #require(try refusal { t in
                var list = t["partners"] as! [[String: Any]]
                list[0]["bring"] = bad
                t["partners"] = list
            })
            #expect(refused.key.hasPrefix("partners[0].bring"), "\(refused)")
        }
    }

    @Test func errorsNameTheFileTheKeyAndTheRule() throws {
        let zone = try #require(try refusal { t in
            var s = t["structure"] as! [String: Any]
            s["timeZone"] = "Europe/Pariss"
            t["structure"] = s
        })
        #expect(zone.file == "test.json" && zone.key == "structure.timeZone")
        #expect(zone.description.contains("Europe/Pariss"))

        let hours = try #require(try refusal { t in t["openingHours"] = ["monday": ["09:00-17:00"], "tuesday": ["09:00-17:00"]] })
        #expect(hours.key == "openingHours" && hours.message.contains("france-services-24h-5-days"))

        let typo = try #require(try refusal { t in t["bookng"] = ["slotMinutes": 30] })
        #expect(typo.key == "bookng" && typo.message.contains("unknown key"))

        let range = try #require(try refusal { t in
            var h = t["openingHours"] as! [String: Any]
            h["friday"] = ["17:00-09:00"]
            t["openingHours"] = h
        })
        #expect(range.key == "openingHours.friday[0]")

        let partner = try #require(try refusal { t in
            var list = t["partners"] as! [[String: Any]]
            list.removeAll { $0["id"] as? String == "dgfip" }
            t["partners"] = list
        })
        #expect(partner.key == "partners" && partner.message.contains("dgfip"))

        let noRoom = try #require(try refusal { t in
            t["rooms"] = [["id": "accueil", "name": "Accueil"]]
        })
        #expect(noRoom.key == "rooms" || noRoom.key.hasPrefix("stations"))
    }

    @Test func theDatabaseIsTheStructuresOwnFileUnlessANetworkIsNamedWithoutItsPassword() throws {
        #expect(try GuichetConfig.load(path: Self.shipped.path).network == nil)
        var tree = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.shipped)) as! [String: Any]
        tree["database"] = "sqlite"
        #expect(try GuichetConfig.parse(try JSONSerialization.data(withJSONObject: tree), file: "t.json").network == nil)
        tree["database"] = "postgres://guichet@db.nievre.example/reseau?sslmode=require"
        tree["databasePasswordFile"] = "/etc/guichet/db-password"
        let network = try GuichetConfig.parse(try JSONSerialization.data(withJSONObject: tree), file: "t.json").network
        #expect(network == NetworkSettings(url: "postgres://guichet@db.nievre.example/reseau?sslmode=require", passwordFile: "/etc/guichet/db-password"))

        let mysql = try #require(try refusal { t in t["database"] = "mysql://guichet@db/reseau" })
        #expect(mysql.key == "database" && mysql.message.contains("sqlite"))
        // The configuration is handed to the stations: a password in it would be theirs too.
        let password = try #require(try refusal { t in t["database"] = "postgres://guichet:secret@db/reseau" })
        #expect(password.key == "database" && password.message.contains("databasePasswordFile") && !password.message.contains("secret"))
        let relative = try #require(try refusal { t in (t["database"], t["databasePasswordFile"]) = ("postgres://guichet@db/reseau", "db-password") })
        #expect(relative.key == "databasePasswordFile" && relative.message.contains("absolute"))
        let alone = try #require(try refusal { t in t["databasePasswordFile"] = "/etc/guichet/db-password" })
        #expect(alone.key == "databasePasswordFile")
    }

    @Test func noticesAreOffUnlessConfiguredAndTheirSettingsAreChecked() throws {
        #expect(try GuichetConfig.load(path: Self.shipped.path).notices == nil)
        var tree = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.shipped)) as! [String: Any]
        tree["notices"] = ["reminderHours": 24]
        let notices = try #require(try GuichetConfig.parse(try JSONSerialization.data(withJSONObject: tree), file: "t.json").notices)
        #expect(notices.reminderHours == 24 && notices.sendmail == ["/usr/sbin/sendmail", "-t", "-oi"] && notices.from == nil)

        let relative = try #require(try refusal { t in t["notices"] = ["sendmail": ["sendmail", "-t"]] })
        #expect(relative.key == "notices.sendmail" && relative.message.contains("absolute"))
        let injected = try #require(try refusal { t in t["notices"] = ["from": "a@b.fr\r\nBcc: x@y.fr"] })
        #expect(injected.key == "notices.from")
        let lead = try #require(try refusal { t in t["notices"] = ["reminderHours": 0] })
        #expect(lead.key == "notices.reminderHours")
        let typo = try #require(try refusal { t in t["notices"] = ["remindHours": 24] })
        #expect(typo.key == "notices.remindHours" && typo.message.contains("unknown key"))

        let fields = ["to": "{phone}", "msg": "{text}"]
        let plain = try #require(try refusal { t in t["notices"] = ["sms": ["url": "http://sms.example.fr/send", "fields": fields]] })
        #expect(plain.key == "notices.sms.url" && plain.message.contains("https"))
        let noText = try #require(try refusal { t in t["notices"] = ["sms": ["url": "https://sms.example.fr/send", "fields": ["to": "{phone}"]]] })
        #expect(noText.key == "notices.sms.fields" && noText.message.contains("{text}"))
        let header = try #require(try refusal { t in
            t["notices"] = ["sms": ["url": "https://sms.example.fr/send", "fields": fields, "headers": ["X-Key": "a\r\nX-Other: b"]]]
        })
        #expect(header.key.hasPrefix("notices.sms.headers"))
        tree["notices"] = ["sms": ["url": "https://sms.example.fr/send", "fields": fields, "format": "form", "secretFile": "/etc/guichet/sms.secret"]]
        let sms = try #require(try GuichetConfig.parse(try JSONSerialization.data(withJSONObject: tree), file: "t.json").notices?.sms)
        #expect(sms.format == .form && sms.method == "POST" && sms.secretFile == "/etc/guichet/sms.secret")
    }

    @Test func turnServersNeedTheSharedSecretAndAStrongOne() throws {
        func visio(_ values: [String: Any]) throws -> ConfigError? {
            try refusal { t in
                var v = t["visio"] as! [String: Any]
                v.merge(values) { $1 }
                t["visio"] = v
            }
        }
        let missing = try #require(try visio(["turnServers": ["turn:turn.example.fr:3478"]]))
        #expect(missing.key == "visio.turnSecret" && missing.message.contains("required"))
        let short = try #require(try visio(["turnServers": ["turn:turn.example.fr:3478"], "turnSecret": "court"]))
        #expect(short.key == "visio.turnSecret" && short.message.contains("16"))
        let scheme = try #require(try visio(["turnServers": ["http://turn.example.fr"], "turnSecret": String(repeating: "s", count: 32)]))
        #expect(scheme.key == "visio.turnServers[0]")
        #expect(try visio(["turnServers": ["turn:turn.example.fr:3478"], "turnSecret": String(repeating: "s", count: 32)]) == nil)
        // The room's codec: three words, nothing else.
        let codec = try #require(try visio(["codec": "hevc"]))
        #expect(codec.key == "visio.codec" && codec.message.contains("h264"))
        #expect(try visio(["codec": "h264"]) == nil && visio(["codec": "auto"]) == nil)
    }

    @Test func malformedJSONIsRefusedWithTheFileName() {
        #expect(throws: ConfigError.self) { try GuichetConfig.parse(Data("{\"structure\": ".utf8), file: "broken.json") }
        #expect(throws: ConfigError.self) { try GuichetConfig.load(path: "/nonexistent/guichet.json") }
    }
}

/// The field test's configuration refusals: strict JSON, fixed offsets, files that are not files.
struct StrictConfigTests {
    func refusal(_ text: String) -> ConfigError? {
        do {
            _ = try GuichetConfig.parse(Data(text.utf8), file: "guichet.json")
            return nil
        } catch { return error }
    }

    var shipped: String { try! String(contentsOf: ConfigTests.shipped, encoding: .utf8) }

    @Test func aTrailingCommaIsRefusedWithItsLineAndColumn() throws {
        let text = shipped.replacingOccurrences(of: #""label": "france-services"\#n"#, with: #""label": "france-services",\#n"#)
        let error = try #require(refusal(text))
        #expect(error.message.contains("trailing comma"))
        let line = text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains(#""label": "france-services","#) }! + 2
        #expect(error.message.contains("line \(line), column 3"), "\(error)")
    }

    @Test func aDuplicatedKeyIsRefusedByName() throws {
        let text = shipped.replacingOccurrences(of: #""timeZone": "Europe/Paris","#, with: #""timeZone": "Europe/Paris", "timeZone": "America/Cayenne","#)
        let error = try #require(refusal(text))
        #expect(error.message.contains("duplicated key 'structure.timeZone'"), "\(error)")
    }

    @Test func aFixedOffsetIsRefused() throws {
        for zone in ["UTC+1", "GMT+01:00", "Etc/GMT-1", "UTC"] {
            let error = try #require(refusal(shipped.replacingOccurrences(of: #""Europe/Paris""#, with: "\"\(zone)\"")), "\(zone)")
            #expect(error.key == "structure.timeZone" && error.message.contains("fixed offset"), "\(zone): \(error)")
        }
        #expect(refusal(shipped.replacingOccurrences(of: #""Europe/Paris""#, with: #""America/Cayenne""#)) == nil)
    }

    @Test func syntaxErrorsSayWhereAndWhat() throws {
        #expect(refusal("{\n  \"structure\": {\n    \"id\": \"x\"\n    \"name\": \"y\"\n  }\n}")?.message.contains("line 4, column 5") == true)
        #expect(refusal("{\"a\": 1} // fin")?.message.contains("line 1, column 10") == true)
        #expect(refusal("{\"a\": [1, 2,]}")?.message.contains("trailing comma before ']'") == true)
        #expect(refusal("{\"a\": \"x\ny\"}")?.message.contains("control character") == true)
        #expect(refusal("{\"a\": 01}")?.message.contains("do not start with 0") == true)
        #expect(refusal("{\"a\": \"\\ud800\"}")?.message.contains("surrogate") == true)
    }

    @Test func aFolderOrAMissingFileGetsASentence() throws {
        let folder = FileManager.default.temporaryDirectory.path
        #expect { _ = try GuichetConfig.load(path: folder) } throws: { "\($0)" == "\(folder): is a folder, not a configuration file" }
        #expect { _ = try GuichetConfig.load(path: "/nonexistent/guichet.json") } throws: { "\($0)".contains("no such file") }
    }
}
