-- The tests' own database, so they never touch the development data.
CREATE DATABASE {{ cookiecutter.package_name }}_test OWNER {{ cookiecutter.package_name }};
