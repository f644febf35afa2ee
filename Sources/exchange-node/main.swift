import Seamless
print("x")
