import Testing

@testable import ConnectRuntime

private func parse(_ text: String) throws(ConnectRuntimeError) -> JavaProperties { try JavaProperties(parsing: text) }

@Suite("Java .properties parser")
struct JavaPropertiesTests {
    @Test func separatorsAndWhitespace() throws {
        let props = try parse("a=1\nb:2\nc 3\n  d\t=\t4\n\u{0C}e = 5  \nf  :  x:y\ng = = h\nkeyonly\nempty=\n")
        #expect(props.entries.map(\.key) == ["a", "b", "c", "d", "e", "f", "g", "keyonly", "empty"])
        #expect(props["a"] == "1")
        #expect(props["b"] == "2")
        #expect(props["c"] == "3")
        #expect(props["d"] == "4")
        #expect(props["e"] == "5  ")  // trailing whitespace is kept
        #expect(props["f"] == "x:y")
        #expect(props["g"] == "= h")  // only one separator is skipped
        #expect(props["keyonly"] == "")
        #expect(props["empty"] == "")
    }

    @Test func commentsAndBlankLines() throws {
        let props = try parse("# comment\n! bang\n   # indented comment\n\n \t \nk=v # not a comment\n")
        #expect(props.entries == [JavaProperties.Entry(key: "k", value: "v # not a comment")])
    }

    @Test func lineContinuations() throws {
        let props = try parse("list=a,\\\n    b,\\\n\t c\nnext=1\r\nwin=x\\\r\n  y\rmac=z")
        #expect(props["list"] == "a,b,c")
        #expect(props["next"] == "1")
        #expect(props["win"] == "xy")
        #expect(props["mac"] == "z")
    }

    @Test func continuationEdgeCases() throws {
        // An even number of trailing backslashes is an escaped backslash, not a continuation.
        #expect(try parse("a=b\\\\\nc=d").dictionary == ["a": "b\\", "c": "d"])
        // A blank line ends a continued line; '#' on a continuation line is content.
        #expect(try parse("a=b\\\n\nc=d").dictionary == ["a": "b", "c": "d"])
        #expect(try parse("a=b\\\n  #c").dictionary == ["a": "b#c"])
        // A trailing backslash at the end of input is dropped.
        #expect(try parse("a=b\\").dictionary == ["a": "b"])
        // A line holding only "\" continues into nothing, so the next line starts afresh.
        #expect(try parse("\\\n# comment\nk=v").dictionary == ["k": "v"])
        // The continuation can split the key.
        #expect(try parse("ke\\\n  y=v").dictionary == ["key": "v"])
        // Cases checked against java.util.Properties on JDK 17.
        #expect(try parse("a=b\\\n   \nc=d").dictionary == ["a": "b", "c": "d"])
        #expect(try parse("x\\\n\\\n  y=1").dictionary == ["xy": "1"])
        #expect(try parse(" \\ lead=v").dictionary == [" lead": "v"])
        #expect(try parse("k=v\\\\\\\n  more").dictionary == ["k": "v\\more"])
    }

    @Test func escapes() throws {
        let props = try parse(##"k=\t\n\r\f\\\u0041\u00e9\q"## + "\n" + ##"a\=b\:c\ d=e"## + "\n" + ##"emoji=\uD83D\uDE00"##)
        #expect(props["k"] == "\t\n\r\u{0C}\\Aéq")
        #expect(props["a=b:c d"] == "e")
        #expect(props["emoji"] == "😀")
        #expect(try parse(##"\#lead=1"##)["#lead"] == "1")
    }

    @Test func malformedUnicodeEscapes() {
        for text in [#"k=\u12G4"#, #"k=\u12"#, "a=1\nb=2\\\n \\u+123", #"\uZZZZ=v"#] {
            do {
                _ = try parse(text)
                Issue.record("expected an error for \(text)")
            } catch {
                #expect(error.code == .malformedProperties)
                #expect(error.message.contains("malformed \\uXXXX escape"))
            }
        }
        do {
            _ = try parse("a=1\nb=2\\\n \\u+123")
        } catch {
            #expect(error.message.hasSuffix("line 2"))
        }
    }

    @Test func lastDuplicateWins() throws {
        let props = try parse("a=1\nb=2\na=3")
        #expect(props.entries == [JavaProperties.Entry(key: "a", value: "3"), JavaProperties.Entry(key: "b", value: "2")])
        #expect(props.dictionary == ["a": "3", "b": "2"])
    }

    @Test func latin1BytesLikeKafkaLoadProps() throws {
        let props = try JavaProperties(latin1Bytes: [0x6B, 0x3D, 0xE9, 0xC3, 0xA9])
        #expect(props["k"] == "é\u{C3}\u{A9}")  // UTF-8 bytes are read as two Latin-1 characters
    }
}
