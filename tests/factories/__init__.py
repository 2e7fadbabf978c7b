from tests.factories.users import PASSWORD, DealerFactory, OperatorFactory, UserFactory

__all__ = ["PASSWORD", "DealerFactory", "OperatorFactory", "UserFactory"]
