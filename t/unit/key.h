/*
 * key: a test key for the unit tests that seal (t/unit/secret.c,
 * t/unit/channel.c), made the way a user gives one: 64 hex digits in
 * $UOMS_SECRET_KEY.
 */
#ifndef UOMS_TEST_KEY_H
#define UOMS_TEST_KEY_H

#include <stdio.h>
#include <stdlib.h>

#include "secret.h"

/* The key of bytes fill, fill + 1, ... into k; bails out when it fails. */
static inline void
key_of(struct uoms_secret_key *k, unsigned char fill)
{
	char hex[65], why[256];

	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", (unsigned char)(fill + i));
	setenv("UOMS_SECRET_KEY", hex, 1);
	if (uoms_secret_key_load("/nonexistent", k, why, sizeof why) < 0) {
		printf("Bail out! %s\n", why);
		exit(1);
	}
	unsetenv("UOMS_SECRET_KEY");
}

#endif
