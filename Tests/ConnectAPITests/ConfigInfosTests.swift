import Foundation
import Testing
import ConnectAPI

@Suite("ConfigInfos JSON")
struct ConfigInfosTests {
    private static let def = ConfigDef()
        .define("name", .string, validator: .nonEmptyStringWithoutControlChars, importance: .high,
                documentation: "Connector name.", group: "Common", orderInGroup: 1, width: .medium, displayName: "Connector name")
        .define("tasks.max", .int, defaultValue: .int(1), validator: .atLeast(1), importance: .high,
                documentation: "Task limit.", group: "Common", orderInGroup: 2, width: .short, displayName: "Tasks max")
        .define("topics", .list, defaultValue: .list(["a", "b"]), importance: .low, documentation: "Topics.")
        .define("secret", .password, defaultValue: .null, importance: .medium, documentation: "Secret.")

    private func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    @Test func validateResponseMatchesKafkaShape() throws {
        var values = Self.def.validate(["tasks.max": "0", "secret": "s3cret"])
        values.addErrorMessage("not defined here", to: "extra")
        let infos = ConfigInfos(name: "org.example.MyConnector", configDef: Self.def, values: values)

        let expected = #"""
        {"configs":[\#
        {"definition":null,"value":{"errors":["not defined here"],"name":"extra","recommended_values":[],"value":null,"visible":true}},\#
        {"definition":{"default_value":null,"dependents":[],"display_name":"Connector name","documentation":"Connector name.","group":"Common","importance":"HIGH","name":"name","order":1,"required":true,"type":"STRING","width":"MEDIUM"},\#
        "value":{"errors":["Missing required configuration \"name\" which has no default value."],"name":"name","recommended_values":[],"value":null,"visible":true}},\#
        {"definition":{"default_value":"1","dependents":[],"display_name":"Tasks max","documentation":"Task limit.","group":"Common","importance":"HIGH","name":"tasks.max","order":2,"required":false,"type":"INT","width":"SHORT"},\#
        "value":{"errors":["Invalid value 0 for configuration tasks.max: Value must be at least 1"],"name":"tasks.max","recommended_values":[],"value":"0","visible":true}},\#
        {"definition":{"default_value":"a,b","dependents":[],"display_name":"topics","documentation":"Topics.","group":null,"importance":"LOW","name":"topics","order":-1,"required":false,"type":"LIST","width":"NONE"},\#
        "value":{"errors":[],"name":"topics","recommended_values":[],"value":"a,b","visible":true}},\#
        {"definition":{"default_value":null,"dependents":[],"display_name":"secret","documentation":"Secret.","group":null,"importance":"MEDIUM","name":"secret","order":-1,"required":false,"type":"PASSWORD","width":"NONE"},\#
        "value":{"errors":[],"name":"secret","recommended_values":[],"value":"[hidden]","visible":true}}\#
        ],"error_count":3,"groups":["Common"],"name":"org.example.MyConnector"}
        """#
        #expect(try json(infos) == expected)
    }

    @Test func configKeyInfoRoundTripsAndReadsLegacyOrderKey() throws {
        let info = ConfigKeyInfo(Self.def["topics"]!)
        let decoded = try JSONDecoder().decode(ConfigKeyInfo.self, from: try JSONEncoder().encode(info))
        #expect(decoded == info)
        let legacy = #"{"name":"x","type":"STRING","required":true,"default_value":null,"importance":"LOW","documentation":"d","group":"G","order_in_group":4,"width":"NONE","display_name":"X","dependents":[]}"#
        let fromLegacy = try JSONDecoder().decode(ConfigKeyInfo.self, from: Data(legacy.utf8))
        #expect(fromLegacy.orderInGroup == 4)
        #expect(fromLegacy.group == "G")
        #expect(fromLegacy.defaultValue == nil)
    }

    @Test func unvalidatedKeysHaveNullValue() throws {
        let infos = ConfigInfos(name: "C", configDef: Self.def, values: [])
        #expect(infos.errorCount == 0)
        #expect(infos.configs.count == 4)
        #expect(infos.configs.allSatisfy { $0.value == nil })
        #expect(try json(infos.configs[0]).hasSuffix(#""value":null}"#))
    }
}
