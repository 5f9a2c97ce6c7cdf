#ifndef CLIBPQ_SHIM_H
#define CLIBPQ_SHIM_H
// Through the postgresql/ prefix so the header is found even where pkg-config is missing.
#include <postgresql/libpq-fe.h>
#endif
