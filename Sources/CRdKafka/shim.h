// The only C headers swift-connect imports: librdkafka (Debian `librdkafka-dev`)
// and its embedded mock cluster, used by tests for fault injection.
#ifndef SWIFT_CONNECT_CRDKAFKA_SHIM_H
#define SWIFT_CONNECT_CRDKAFKA_SHIM_H
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#endif
