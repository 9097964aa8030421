import MirrorClient
import Testing

@Suite struct TopicFilterTests {
    @Test func defaultsMatchApache() throws {
        #expect(TopicFilter.topicsIncludeDefault == ".*")
        #expect(TopicFilter.topicsExcludeDefault == #".*[\-\.]internal, .*\.replica, __.*"#)
        let filter = try TopicFilter()
        #expect(filter.exclude.patterns == [#".*[\-\.]internal"#, #".*\.replica"#, "__.*"])
        let expectations: [(String, Bool)] = [
            ("orders", true),
            ("primary.orders", true),
            ("heartbeats", true),
            ("__consumer_offsets", false),
            ("__transaction_state", false),
            ("mm2-offset-syncs.backup.internal", false),
            ("mm2-configs.primary.internal", false),
            ("connect-offsets-internal", false),
            ("orders.replica", false),
            // Whole-name matching: these only contain an excluded pattern.
            ("internal", true),
            ("orders.internal.v2", true),
            ("ordersreplica", true),
            ("x__y", true),
        ]
        for (topic, expected) in expectations {
            #expect(filter.shouldReplicateTopic(topic) == expected, "\(topic)")
        }
    }

    @Test func customListsAreCommaSeparatedWholeMatchRegexes() throws {
        let filter = try TopicFilter(config: ["topics": " orders ,payments-.* , ord", "topics.exclude": "payments-test"])
        #expect(filter.include.patterns == ["orders", "payments-.*", "ord"])
        #expect(filter.shouldReplicateTopic("orders"))
        #expect(filter.shouldReplicateTopic("payments-eu"))
        #expect(filter.shouldReplicateTopic("ord"))
        #expect(!filter.shouldReplicateTopic("orders2"))
        #expect(!filter.shouldReplicateTopic("my-orders"))
        #expect(!filter.shouldReplicateTopic("payments-test"))
        // Setting topics.exclude replaces the default list.
        #expect(try TopicFilter(config: ["topics.exclude": "x"]).shouldReplicateTopic("__consumer_offsets"))
    }

    @Test func emptyListsMatchNothing() throws {
        #expect(!(try TopicFilter(config: ["topics": ""]).shouldReplicateTopic("orders")))
        #expect(!(try TopicFilter(config: ["topics": "  "]).shouldReplicateTopic("")))
        let noExclusions = try TopicFilter(config: ["topics.exclude": ""])
        #expect(noExclusions.shouldReplicateTopic("__consumer_offsets"))
        #expect(noExclusions.shouldReplicateTopic("mm2-offset-syncs.backup.internal"))
    }

    @Test func deprecatedBlacklistAliasIsReadOnlyWithoutTheNewKey() throws {
        let aliased = try TopicFilter(config: ["topics.blacklist": "secret.*"])
        #expect(!aliased.shouldReplicateTopic("secret-plans"))
        #expect(aliased.shouldReplicateTopic("__consumer_offsets"))
        let both = try TopicFilter(config: ["topics.blacklist": "secret.*", "topics.exclude": "public"])
        #expect(both.shouldReplicateTopic("secret-plans"))
        #expect(!both.shouldReplicateTopic("public"))
    }

    @Test func invalidRegexNamesPropertyAndPattern() {
        let error = #expect(throws: MirrorClientError.self) {
            try TopicFilter(config: ["topics.exclude": "ok.*, orders(v2"])
        }
        #expect(error?.code == .invalidPattern)
        #expect(error?.message.contains("topics.exclude") == true)
        #expect(error?.message.contains("\"orders(v2\"") == true)

        let aliasError = #expect(throws: MirrorClientError.self) { try TopicFilter(config: ["topics.blacklist": "*"]) }
        #expect(aliasError?.message.contains("topics.blacklist") == true)
    }
}

@Suite struct GroupFilterTests {
    @Test func defaultsMatchApache() throws {
        #expect(GroupFilter.groupsExcludeDefault == "console-consumer-.*, connect-.*, __.*")
        let filter = try GroupFilter()
        #expect(filter.shouldReplicateGroup("billing"))
        #expect(filter.shouldReplicateGroup("my-connect-app"))
        #expect(!filter.shouldReplicateGroup("console-consumer-52710"))
        #expect(!filter.shouldReplicateGroup("connect-my-sink"))
        #expect(!filter.shouldReplicateGroup("__internal"))
    }

    @Test func customAndAliasedConfig() throws {
        let filter = try GroupFilter(config: ["groups": "billing.*", "groups.blacklist": "billing-test"])
        #expect(filter.shouldReplicateGroup("billing-eu"))
        #expect(!filter.shouldReplicateGroup("billing-test"))
        #expect(!filter.shouldReplicateGroup("audit"))
        let error = #expect(throws: MirrorClientError.self) { try GroupFilter(config: ["groups": "[unclosed"]) }
        #expect(error?.message.contains("groups") == true)
        #expect(error?.message.contains("[unclosed") == true)
    }
}

@Suite struct PatternListTests {
    @Test func parsesKafkaListSyntax() throws {
        #expect(try PatternList(parsing: " a , b ,,c\t", property: "p").patterns == ["a", "b", "", "c"])
        #expect(try PatternList(parsing: "", property: "p").patterns == [])
        #expect(try PatternList(parsing: "a,", property: "p").patterns == ["a", ""])
    }

    @Test func alternationMustCoverTheWholeName() throws {
        // Java's matches() backtracks into the alternation; a first-match search would stop at "a".
        let list = try PatternList(["a", "ab"], property: "p")
        #expect(list.matches("ab"))
        #expect(list.matches("a"))
        #expect(!list.matches("abc"))
        // An empty element matches only the empty name.
        let withEmpty = try PatternList(parsing: "a,,b", property: "p")
        #expect(withEmpty.matches(""))
        #expect(!withEmpty.matches("x"))
    }

    @Test func javaRegexFeatures() throws {
        #expect(try PatternList([#"\Qa.b\E"#], property: "p").matches("a.b"))
        #expect(!(try PatternList([#"\Qa.b\E"#], property: "p").matches("axb")))
        // Java lets a \Q quote run to the end of the pattern.
        #expect(try PatternList([#"x|\Qa.b"#], property: "p").matches("a.b"))
        #expect(try PatternList(["(?i)ORDERS"], property: "p").matches("orders"))
        #expect(try PatternList(["(?x) or ders  # a comment"], property: "p").matches("orders"))
        #expect(!(try PatternList(["(?!tmp-).*"], property: "p").matches("tmp-1")))
        #expect(try PatternList(["(?!tmp-).*"], property: "p").matches("orders"))
        #expect(try PatternList([".*(?<!-test)"], property: "p").matches("orders"))
        #expect(!(try PatternList([".*(?<!-test)"], property: "p").matches("orders-test")))
        #expect(try PatternList(["[a-z&&[^x]]+"], property: "p").matches("abc"))
        #expect(!(try PatternList(["[a-z&&[^x]]+"], property: "p").matches("axc")))
        #expect(!(try PatternList(["."], property: "p").matches("\n")))
    }

    @Test func emptyListMatchesNothing() throws {
        let empty = try PatternList([], property: "p")
        #expect(!empty.matches(""))
        #expect(!empty.matches("orders"))
    }
}
