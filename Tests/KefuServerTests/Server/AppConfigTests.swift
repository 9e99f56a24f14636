import Foundation
import KefuServer
import Testing

@Suite struct AppConfigTests {
    func file(_ json: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kefu-config-\(UUID()).json").path
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func flagsBeatEnvironmentBeatsFileBeatsDefaults() throws {
        let path = try file(
            #"{"port": 9001, "host": "0.0.0.0", "data": {"dir": "/from/file"}, "database": {"url": "sqlite:/from/file.db"}, "log": {"level": "debug"}}"#
        )
        let env = ["KEFU_PORT": "9002", "KEFU_DATA_DIR": "/from/env"]
        let cli = ["data.dir": "/from/cli"]
        defer { try? FileManager.default.removeItem(atPath: path) }
        let config = try AppConfig.load(cli: cli, environment: env, configFile: path)
        #expect(config.dataDirectory == "/from/cli")
        #expect(config.port == 9002)
        #expect(config.host == "0.0.0.0")
        #expect(config.databaseURL == "sqlite:/from/file.db")
        #expect(config.logLevel == .debug)
        #expect(config.maxBodyBytes == 1_048_576)
        let defaults = try AppConfig.load(cli: [:], environment: [:], configFile: nil)
        #expect(defaults.port == 8080)
        #expect(defaults.dataDirectory == "./kefu-data")
        #expect(defaults.databaseURL == nil)
    }

    @Test func theConfigFileMayComeFromTheEnvironment() throws {
        let path = try file(#"{"port": 7000}"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try AppConfig.load(cli: [:], environment: ["KEFU_CONFIG": path], configFile: nil).port == 7000)
    }

    @Test func badValuesAreRefusedWithTheirKey() throws {
        #expect(throws: ConfigError.self) { try AppConfig.load(cli: [:], environment: ["KEFU_PORT": "eighty"], configFile: nil) }
        #expect(throws: ConfigError.self) {
            try AppConfig.load(cli: [:], environment: ["KEFU_LOG_LEVEL": "loud"], configFile: nil)
        }
        #expect(throws: ConfigError.self) { try AppConfig.load(cli: [:], environment: [:], configFile: "/no/such/file.json") }
        let bad = try file("not json")
        defer { try? FileManager.default.removeItem(atPath: bad) }
        #expect(throws: ConfigError.self) { try AppConfig.load(cli: [:], environment: [:], configFile: bad) }
    }

    @Test func theSecretKeyIsGeneratedOncePrivatelyAndReused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kefu-key-\(UUID())").path
        try DataDirectory.prepare(dir)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try SecretKey.loadOrCreate(configured: nil, dataDirectory: dir)
        let second = try SecretKey.loadOrCreate(configured: nil, dataDirectory: dir)
        #expect(first.sign("x") == second.sign("x"))
        let attributes = try FileManager.default.attributesOfItem(atPath: dir + "/secret.key")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(throws: ConfigError.self) { try SecretKey.loadOrCreate(configured: "too short", dataDirectory: dir) }
    }

    @Test func anUnwritableDataDirectoryIsAClearError() {
        #expect(throws: DataDirectoryError.self) { try DataDirectory.prepare("/proc/kefu-cannot-write-here") }
    }
}
