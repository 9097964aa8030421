import Testing
@testable import ConnectAPI

@Suite("ConfigDef parsing")
struct ConfigDefParsingTests {
    private func parse(_ raw: String, as type: ConfigType) throws(ConfigException) -> ConfigValueType {
        try ConfigDef.parseType(name: "p", value: raw, type: type)
    }

    private func parseError(_ raw: String, as type: ConfigType) -> String? {
        do throws(ConfigException) {
            _ = try parse(raw, as: type)
            return nil
        } catch {
            return error.message
        }
    }

    @Test func booleansIgnoreCaseAndWhitespace() throws {
        #expect(try parse(" TRUE ", as: .boolean) == .boolean(true))
        #expect(try parse("False", as: .boolean) == .boolean(false))
        #expect(parseError("yes", as: .boolean) == "Invalid value yes for configuration p: Expected value to be either true or false")
    }

    @Test func integersFollowJavaRanges() throws {
        #expect(try parse(" 42 ", as: .int) == .int(42))
        #expect(try parse("+7", as: .int) == .int(7))
        #expect(try parse("-2147483648", as: .int) == .int(.min))
        #expect(parseError("2147483648", as: .int) == "Invalid value 2147483648 for configuration p: Not a number of type INT")
        #expect(parseError("4.2", as: .int) == "Invalid value 4.2 for configuration p: Not a number of type INT")
        #expect(parseError("", as: .int) == "Invalid value  for configuration p: Not a number of type INT")
        #expect(try parse("32767", as: .short) == .short(32767))
        #expect(parseError("40000", as: .short) == "Invalid value 40000 for configuration p: Not a number of type SHORT")
        #expect(try parse("9223372036854775807", as: .long) == .long(.max))
        #expect(parseError("1L", as: .long) == "Invalid value 1L for configuration p: Not a number of type LONG")
    }

    @Test func doublesAcceptJavaSpellings() throws {
        #expect(try parse("0.5", as: .double) == .double(0.5))
        #expect(try parse("1e3", as: .double) == .double(1000))
        #expect(try parse("2d", as: .double) == .double(2))
        #expect(try parse("-Infinity", as: .double) == .double(-.infinity))
        #expect(parseError("inf", as: .double) == "Invalid value inf for configuration p: Not a number of type DOUBLE")
        #expect(parseError("abc", as: .double) == "Invalid value abc for configuration p: Not a number of type DOUBLE")
    }

    @Test func listsSplitOnCommasAndTrim() throws {
        #expect(try parse(" a, b ,\tc ", as: .list) == .list(["a", "b", "c"]))
        #expect(try parse("", as: .list) == .list([]))
        #expect(try parse("   ", as: .list) == .list([]))
        #expect(try parse("a,,b", as: .list) == .list(["a", "", "b"]))
        #expect(try parse("a,", as: .list) == .list(["a", ""]))
    }

    @Test func stringsClassesAndPasswordsAreTrimmed() throws {
        #expect(try parse("  hello  ", as: .string) == .string("hello"))
        #expect(try parse(" org.example.Plugin ", as: .class) == .class("org.example.Plugin"))
        #expect(parseError(" ", as: .class) == "Invalid value   for configuration p: Class   could not be found.")
        let password = try parse(" s3cret ", as: .password)
        #expect(password == .password(Password("s3cret")))
        #expect(password.kafkaString == "[hidden]")
        #expect(password.unmaskedString == "s3cret")
        #expect("\(Password("s3cret"))" == "[hidden]")
    }

    @Test func kafkaStringRendersLikeConvertToString() {
        #expect(ConfigValueType.list(["a", "b"]).kafkaString == "a,b")
        #expect(ConfigValueType.double(0.8).kafkaString == "0.8")
        #expect(ConfigValueType.double(1).kafkaString == "1.0")
        #expect(ConfigValueType.double(1e7).kafkaString == "1.0E7")
        #expect(ConfigValueType.double(12_345_678.9).kafkaString == "1.23456789E7")
        #expect(ConfigValueType.double(0.0001).kafkaString == "1.0E-4")
        #expect(ConfigValueType.double(0.001).kafkaString == "0.001")
        #expect(ConfigValueType.double(1_234_567).kafkaString == "1234567.0")
        #expect(ConfigValueType.double(-0.25).kafkaString == "-0.25")
        #expect(ConfigValueType.long(-5).kafkaString == "-5")
    }

    @Test func parseAppliesDefaultsAndStopsAtMissingRequired() throws {
        let def = ConfigDef()
            .define("required", .string, importance: .high, documentation: "r")
            .define("count", .int, defaultValue: .int(3), importance: .low, documentation: "c")
            .define("nullable", .list, defaultValue: .null, importance: .low, documentation: "n")
        let parsed = try def.parse(["required": "x", "unknown": "kept"])
        #expect(try parsed.string("required") == "x")
        #expect(try parsed.int("count") == 3)
        #expect(parsed.value("nullable") == nil)
        #expect(try parsed.listOrEmpty("nullable") == [])
        #expect(parsed.originals["unknown"] == "kept")

        let error = #expect(throws: ConfigException.self) { try def.parse(["count": "4"]) }
        #expect(error?.message == #"Missing required configuration "required" which has no default value."#)
        let badInt = #expect(throws: ConfigException.self) { try def.parse(["required": "x", "count": "many"]) }
        #expect(badInt?.message == "Invalid value many for configuration count: Not a number of type INT")
    }

    @Test func gettersThrowInsteadOfTrapping() throws {
        let parsed = try ConfigDef()
            .define("n", .int, defaultValue: .int(1), importance: .low, documentation: "")
            .define("s", .password, defaultValue: .null, importance: .low, documentation: "")
            .parse([:])
        #expect(throws: ConfigException.unknown("missing")) { try parsed.string("missing") }
        let mismatch = #expect(throws: ConfigException.self) { try parsed.string("n") }
        #expect(mismatch?.message == "Configuration 'n' is of type INT, not STRING")
        let noValue = #expect(throws: ConfigException.self) { try parsed.password("s") }
        #expect(noValue?.message == "Configuration 's' has no value")
    }

    @Test func originalsWithPrefixStripsAndSkipsTheBarePrefix() throws {
        let parsed = try ConfigDef().parse(["consumer.": "x", "consumer.a": "1", "consumer.b.c": "2", "producer.a": "3"])
        #expect(parsed.originalsWithPrefix("consumer.") == ["a": "1", "b.c": "2"])
        #expect(parsed.originalsWithPrefix("consumer.", strip: false) == ["consumer.a": "1", "consumer.b.c": "2"])
    }

    @Test func definitionMistakesAreReportedNotTrapped() {
        let def = ConfigDef()
            .define("a", .int, defaultValue: .int(0), validator: .atLeast(1), importance: .low, documentation: "")
            .define("a", .int, defaultValue: .int(5), importance: .low, documentation: "")
            .define("b", .long, defaultValue: .string("x"), importance: .low, documentation: "")
        #expect(def.names == ["a", "b"])
        #expect(def.definitionProblems == [
            "Invalid value 0 for configuration a: Value must be at least 1",
            "Configuration a is defined twice.",
            "Default of b is a STRING, but the key is LONG",
        ])
    }

    @Test func deprecatedAliasesAreTranslated() {
        let groups: [(key: String, aliases: [String])] = [("new", ["old", "older"])]
        #expect(ConfigUtils.translateDeprecatedConfigs(["old": "1", "x": "y"], aliasGroups: groups) == ["new": "1", "x": "y"])
        #expect(ConfigUtils.translateDeprecatedConfigs(["old": "1", "new": "2"], aliasGroups: groups) == ["new": "2"])
        #expect(ConfigUtils.translateDeprecatedConfigs(["older": "3", "old": "1"], aliasGroups: groups) == ["new": "1"])
        #expect(ConfigUtils.translateDeprecatedConfigs(["x": "y"], aliasGroups: groups) == ["x": "y"])
    }
}
