# Generates C++ (protobuf + gRPC) from the official opentelemetry-proto release.
#
# The schema is never copied into this repo: the pinned wheel is fetched from PyPI into a cache
# outside the checkout (configure time, once per machine), its embedded descriptors are written
# out as a FileDescriptorSet, and protoc/grpc_cpp_plugin compile from that set.

set(TRACEPROOF_CACHE_DIR "$ENV{HOME}/.cache/traceproof" CACHE PATH
    "Cache for downloaded artifacts (official schema wheel, Collector build)")
if(DEFINED ENV{TRACEPROOF_CACHE_DIR})
  set(TRACEPROOF_CACHE_DIR "$ENV{TRACEPROOF_CACHE_DIR}")
endif()

set(_wheel_name "opentelemetry_proto-${OTLP_PROTO_VERSION}-py3-none-any.whl")
set(OTLP_PROTO_WHEEL "${TRACEPROOF_CACHE_DIR}/wheels/${_wheel_name}")
if(NOT EXISTS "${OTLP_PROTO_WHEEL}")
  find_package(Python3 REQUIRED COMPONENTS Interpreter)
  message(STATUS "Fetching official OTLP schema: opentelemetry-proto==${OTLP_PROTO_VERSION} (PyPI)")
  execute_process(
    COMMAND "${Python3_EXECUTABLE}" -m pip download --quiet --no-deps --only-binary=:all:
            "opentelemetry-proto==${OTLP_PROTO_VERSION}" -d "${TRACEPROOF_CACHE_DIR}/wheels"
    RESULT_VARIABLE _pip_rc)
  if(NOT _pip_rc EQUAL 0 OR NOT EXISTS "${OTLP_PROTO_WHEEL}")
    message(FATAL_ERROR
      "Could not download opentelemetry-proto==${OTLP_PROTO_VERSION} from PyPI into "
      "${TRACEPROOF_CACHE_DIR}/wheels. The OTLP schema comes from that wheel; check that "
      "`python3 -m pip download opentelemetry-proto==${OTLP_PROTO_VERSION}` works.")
  endif()
endif()

find_program(PROTOC protoc REQUIRED)
find_program(GRPC_CPP_PLUGIN grpc_cpp_plugin)
find_package(Python3 REQUIRED COMPONENTS Interpreter)

set(OTLP_GEN_DIR "${CMAKE_BINARY_DIR}/gen")
set(OTLP_DESCRIPTOR_SET "${OTLP_GEN_DIR}/otlp-${OTLP_PROTO_VERSION}.pb")
set(_protos
    opentelemetry/proto/common/v1/common
    opentelemetry/proto/resource/v1/resource
    opentelemetry/proto/trace/v1/trace
    opentelemetry/proto/collector/trace/v1/trace_service)

add_custom_command(
  OUTPUT "${OTLP_DESCRIPTOR_SET}"
  COMMAND ${CMAKE_COMMAND} -E make_directory "${OTLP_GEN_DIR}"
  COMMAND "${Python3_EXECUTABLE}" "${CMAKE_SOURCE_DIR}/cmake/otlp_descriptor_set.py"
          "${OTLP_PROTO_WHEEL}" "${OTLP_DESCRIPTOR_SET}"
  DEPENDS "${OTLP_PROTO_WHEEL}" "${CMAKE_SOURCE_DIR}/cmake/otlp_descriptor_set.py"
  COMMENT "Extracting OTLP descriptors from opentelemetry-proto ${OTLP_PROTO_VERSION}")

set(OTLP_PROTO_SRCS)
set(_proto_files)
foreach(p ${_protos})
  list(APPEND OTLP_PROTO_SRCS "${OTLP_GEN_DIR}/${p}.pb.cc")
  list(APPEND _proto_files "${p}.proto")
endforeach()
add_custom_command(
  OUTPUT ${OTLP_PROTO_SRCS}
  COMMAND "${PROTOC}" "--descriptor_set_in=${OTLP_DESCRIPTOR_SET}" "--cpp_out=${OTLP_GEN_DIR}"
          ${_proto_files}
  DEPENDS "${OTLP_DESCRIPTOR_SET}"
  COMMENT "protoc: OTLP messages")

add_library(traceproof_proto STATIC ${OTLP_PROTO_SRCS})
target_include_directories(traceproof_proto SYSTEM PUBLIC "${OTLP_GEN_DIR}")
target_link_libraries(traceproof_proto PUBLIC protobuf::libprotobuf)

if(GRPC_CPP_PLUGIN AND NOT TRACEPROOF_FUZZ)
  set(_svc opentelemetry/proto/collector/trace/v1/trace_service)
  set(OTLP_GRPC_SRCS "${OTLP_GEN_DIR}/${_svc}.grpc.pb.cc")
  add_custom_command(
    OUTPUT ${OTLP_GRPC_SRCS}
    COMMAND "${PROTOC}" "--descriptor_set_in=${OTLP_DESCRIPTOR_SET}" "--grpc_out=${OTLP_GEN_DIR}"
            "--plugin=protoc-gen-grpc=${GRPC_CPP_PLUGIN}" "${_svc}.proto"
    DEPENDS "${OTLP_DESCRIPTOR_SET}"
    COMMENT "grpc_cpp_plugin: OTLP TraceService")
  add_library(traceproof_proto_grpc STATIC ${OTLP_GRPC_SRCS})
  target_link_libraries(traceproof_proto_grpc PUBLIC traceproof_proto gRPC::grpc++)
endif()
