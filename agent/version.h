/* SPDX-License-Identifier: ISC */
/* version.h - the one place the version lives */
#define BREAKGLASS_VERSION "0.1.0"
