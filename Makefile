# Thin aliases for dev.sh, the single entry point.
.PHONY: app test bench
app:
	bash dev.sh app
test:
	bash dev.sh test
bench:
	bash dev.sh bench
