import Testing
@testable import ConnectAPI

@Suite("ConfigDef validation")
struct ConfigDefValidationTests {
    private func error(_ validator: ConfigValidator, _ value: ConfigValueType?) -> String? {
        do throws(ConfigException) {
            try validator.ensureValid(name: "p", value: value)
            return nil
        } catch {
            return error.message
        }
    }

    @Test func validateCollectsEveryErrorInDefinitionOrder() {
        let def = ConfigDef()
            .define("name", .string, importance: .high, documentation: "")
            .define("tasks", .int, defaultValue: .int(1), validator: .atLeast(1), importance: .high, documentation: "")
            .define("flag", .boolean, defaultValue: .boolean(false), importance: .low, documentation: "")
            .define("mode", .string, defaultValue: .string("a"), validator: .in("a", "b"), importance: .low, documentation: "")
        let values = def.validate(["tasks": "many", "flag": "maybe", "mode": "b"])
        #expect(values.map(\.name) == ["name", "tasks", "flag", "mode"])
        #expect(values[0].errors == [#"Missing required configuration "name" which has no default value."#])
        // Like Kafka, the validator still runs on a value that failed to parse, and sees null.
        #expect(values[1].errors == [
            "Invalid value many for configuration tasks: Not a number of type INT",
            "Invalid value null for configuration tasks: Value must be non-null",
        ])
        #expect(values[1].value == nil)
        #expect(values[2].errors == ["Invalid value maybe for configuration flag: Expected value to be either true or false"])
        #expect(values[3].errors.isEmpty && values[3].value == .string("b") && values[3].visible)
        #expect(values.errorCount == 4)
    }

    @Test func undefinedDependentsAreReported() {
        let def = ConfigDef().define("a", .string, defaultValue: .null, importance: .low, documentation: "", dependents: ["ghost"])
        let values = def.validate([:])
        #expect(values.last == ConfigValue(name: "ghost", errors: ["ghost is referred in the dependents, but not defined."], visible: false))
        #expect(throws: ConfigException("Some configurations in are referred in the dependents, but not defined: ghost")) {
            try def.parse([:])
        }
    }

    @Test func rangeValidators() {
        #expect(error(.atLeast(1), .int(0)) == "Invalid value 0 for configuration p: Value must be at least 1")
        #expect(error(.atLeast(1), .int(1)) == nil)
        #expect(error(.between(0, 900), .short(901)) == "Invalid value 901 for configuration p: Value must be no more than 900")
        #expect(error(.between(0.5, 1.0), .double(0.4)) == "Invalid value 0.4 for configuration p: Value must be at least 0.5")
        #expect(error(.atLeast(0), nil) == "Invalid value null for configuration p: Value must be non-null")
        #expect(ConfigValidator.between(0.5, 1.0).description == "[0.5,...,1.0]")
        #expect(ConfigValidator.atLeast(1).description == "[1,...]")
    }

    @Test func stringValidators() {
        #expect(error(.in("source", "target"), .string("middle"))
            == "Invalid value middle for configuration p: String must be one of: source, target")
        #expect(error(.in("a"), nil) == "Invalid value null for configuration p: String must be one of: a")
        #expect(error(.validList("x", "y"), .list(["x", "z"])) == "Invalid value z for configuration p: String must be one of: x, y")
        #expect(error(.nonEmptyString, .string("")) == "Invalid value  for configuration p: String must be non-empty")
        #expect(error(.nonEmptyString, nil) == nil)
        #expect(error(.nonEmptyStringWithoutControlChars, .string("a\nb\u{7F}"))
            == "Invalid value a\nb\u{7F} for configuration p: String may not contain control sequences but had the following ASCII chars: 10, 127")
        #expect(error(.nonEmptyStringWithoutControlChars, .string("")) == "Invalid value  for configuration p: String may not be empty")
        #expect(error(.nonNull, nil) == "Invalid value null for configuration p: entry must be non null")
    }

    @Test func caseInsensitiveValidStringListsInJavaHashSetOrder() {
        // Order taken from Apache Kafka's GroupCoordinatorConfigTest for this enum.
        let validator = ConfigValidator.caseInsensitiveIn("bidirectional", "upgrade", "downgrade", "disabled")
        #expect(error(validator, .string("Upgrade")) == nil)
        #expect(error(validator, .string("foobar"))
            == "Invalid value foobar for configuration p: String must be one of (case insensitive): DISABLED, DOWNGRADE, UPGRADE, BIDIRECTIONAL")
        #expect(JavaCompat.hashSetOrder(["V1", "V2"]) == ["V1", "V2"])
    }

    @Test func regexListNamesTheBadPattern() {
        #expect(error(.regexList, .list(["ok.*", "foo(", "bar"])) == "Invalid value foo( for configuration p: Not a valid regular expression")
        #expect(error(.regexList, .list(["topic-[0-9]+", #"__.*"#])) == nil)
        #expect(error(.regexList, .list([])) == nil)
        // The elements are one alternation, as MirrorMaker 2 compiles them.
        #expect(error(.regexList, .list(["(a", "b)"])) == nil)
    }

    @Test func compositeStopsAtFirstFailure() {
        let validator = ConfigValidator.composite(.nonNull, .nonEmptyString)
        #expect(error(validator, nil) == "Invalid value null for configuration p: entry must be non null")
        #expect(error(validator, .string("")) == "Invalid value  for configuration p: String must be non-empty")
        #expect(validator.description == "non-null string, non-empty string")
    }

    @Test func connectorConfigIsSound() {
        #expect(ConnectorConfig.configDef.definitionProblems.isEmpty)
        #expect(ConnectorConfig.configDef.groups == ["Common", "Transforms", "Predicates", "Error Handling"])
        let values = ConnectorConfig.configDef.validate([
            "name": "mm2", "connector.class": "MirrorSourceConnector", "tasks.max": "0", "transforms": "a, a",
        ])
        let errors = values.filter { !$0.errors.isEmpty }.map { "\($0.name): \($0.errors)" }
        #expect(errors == [
            #"tasks.max: ["Invalid value 0 for configuration tasks.max: Value must be at least 1"]"#,
            #"transforms: ["Invalid value [a, a] for configuration transforms: Duplicate alias provided."]"#,
        ])
    }
}
