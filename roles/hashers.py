from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2Hasher(Argon2PasswordHasher):
    """Argon2id with OWASP's recommended configuration: 19 MiB, 2 iterations, 1 lane.

    Django's defaults (100 MiB, t=2, p=8) take ~176 ms and 100 MiB per sign-in on
    our 2-core nodes, so 50 dealers signing in at once would need 5 GB; this takes
    ~38 ms and 19 MiB, and is the configuration the OWASP Password Storage Cheat
    Sheet names first. Hashes keep the name "argon2" and carry their parameters, so
    older hashes still verify and are upgraded at the next sign-in.
    """

    time_cost = 2
    memory_cost = 19456
    parallelism = 1
